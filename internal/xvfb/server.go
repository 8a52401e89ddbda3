package xvfb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// ErrNotInstalled is returned by Start when no Xvfb binary is on $PATH.
var ErrNotInstalled = errors.New("Xvfb is not installed")

const (
	defaultWidth  = 1920
	defaultHeight = 1080

	// startTimeout bounds Start when ctx has no earlier deadline.
	startTimeout = 15 * time.Second
	// stopTimeout is how long Stop waits after SIGTERM before SIGKILL.
	stopTimeout = 5 * time.Second
)

// Config says what server to start. The zero value is a 1920x1080 display
// without a logger.
type Config struct {
	// Width and Height are the screen size in pixels; 0 means 1920x1080.
	Width, Height int
	// GLX adds "+extension GLX" so OpenGL clients (dreamview on Mesa) run.
	GLX bool
	// Log receives Xvfb's output at Debug and lifecycle events; nil discards.
	Log *slog.Logger
}

// Server is a running Xvfb process.
type Server struct {
	display string
	cmd     *exec.Cmd
	log     *slog.Logger
	stderr  *tailWriter

	done     chan struct{} // closed when the process has exited
	exitErr  error         // set before done is closed
	stopping atomic.Bool   // Stop has signalled the process

	stopOnce sync.Once
	stopErr  error
}

// Start runs Xvfb with the size in cfg and returns once its display accepts
// connections. ctx bounds the start only (15 s when it has no deadline); the
// server then runs until Stop.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	w, h := cfg.Width, cfg.Height
	if w == 0 && h == 0 {
		w, h = defaultWidth, defaultHeight
	}
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("xvfb: screen size %dx%d: width and height must both be positive (or both 0 for %dx%d)",
			cfg.Width, cfg.Height, defaultWidth, defaultHeight)
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		return nil, fmt.Errorf("xvfb: %w: install xvfb (scripts/setup)", ErrNotInstalled)
	}

	// Xvfb writes its display number to the pipe once it accepts connections.
	displayR, displayW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("xvfb: pipe for -displayfd: %w", err)
	}
	defer displayR.Close()

	args := []string{
		"-displayfd", "3", // ExtraFiles[0] is fd 3 in the child
		"-screen", "0", fmt.Sprintf("%dx%dx24", w, h),
		"-nolisten", "tcp",
		"-noreset",
	}
	if cfg.GLX {
		args = append(args, "+extension", "GLX")
	}
	s := &Server{
		log:    log.With("component", "xvfb"),
		stderr: &tailWriter{},
		done:   make(chan struct{}),
	}
	s.stderr.log = s.log
	s.cmd = exec.Command(bin, args...)
	s.cmd.ExtraFiles = []*os.File{displayW}
	s.cmd.Stdout = s.stderr
	s.cmd.Stderr = s.stderr
	s.cmd.SysProcAttr = sysProcAttr()
	if err := s.cmd.Start(); err != nil {
		displayW.Close()
		return nil, fmt.Errorf("xvfb: cannot run %s: %w", bin, err)
	}
	displayW.Close() // the child holds its copy; EOF on displayR now means it exited
	go s.wait()

	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	display, err := s.readDisplay(ctx, displayR)
	if err == nil {
		s.display = display
		err = s.waitAccepting(ctx)
	}
	if err != nil {
		s.kill()
		return nil, err
	}
	s.log = s.log.With("display", s.display)
	s.log.Debug("Xvfb started", "size", fmt.Sprintf("%dx%d", w, h), "glx", cfg.GLX, "pid", s.cmd.Process.Pid)
	return s, nil
}

// Display is the server's display name, ":N", for xgb or $DISPLAY.
func (s *Server) Display() string { return s.display }

// Pid is the Xvfb process id, for diagnostics and for tests that kill it.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Done is closed when the Xvfb process exits, whether Stop ended it or not.
func (s *Server) Done() <-chan struct{} { return s.done }

// Err says why the process exited, once Done is closed; nil before that and
// after a Stop.
func (s *Server) Err() error {
	select {
	case <-s.done:
	default:
		return nil
	}
	if s.stopping.Load() {
		return nil
	}
	return fmt.Errorf("xvfb %s: %w", s.display, s.exitErr)
}

// Stop ends the server: SIGTERM, then SIGKILL if it is still running after
// 5 s. It returns once the process has exited; a server that had already
// exited is not an error. Stop may be called more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		select {
		case <-s.done:
			return
		default:
		}
		s.stopping.Store(true)
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
			s.log.Debug("Xvfb stopped")
			return
		case <-time.After(stopTimeout):
		}
		s.log.Warn("Xvfb ignored SIGTERM; killing it", "after", stopTimeout)
		if err := s.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			s.stopErr = fmt.Errorf("xvfb %s: cannot kill pid %d: %w", s.display, s.cmd.Process.Pid, err)
			return
		}
		<-s.done
	})
	return s.stopErr
}

// wait reaps the process and closes done.
func (s *Server) wait() {
	err := s.cmd.Wait()
	if err == nil {
		err = errors.New("exited with status 0")
	}
	s.exitErr = fmt.Errorf("Xvfb exited: %w%s", err, s.stderr.quote())
	close(s.done)
}

// kill ends a server that failed to start and waits for it.
func (s *Server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

// readDisplay reads the display number Xvfb writes to -displayfd.
func (s *Server) readDisplay(ctx context.Context, r *os.File) (string, error) {
	type result struct {
		line string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		var buf [32]byte
		var line []byte
		for {
			n, err := r.Read(buf[:])
			line = append(line, buf[:n]...)
			if i := strings.IndexByte(string(line), '\n'); i >= 0 {
				got <- result{line: string(line[:i])}
				return
			}
			if err != nil {
				got <- result{line: string(line), err: err}
				return
			}
		}
	}()
	select {
	case res := <-got:
		n, err := strconv.Atoi(strings.TrimSpace(res.line))
		if err != nil || n < 0 {
			select {
			case <-s.done: // EOF without a number: Xvfb exited
				return "", fmt.Errorf("xvfb: server exited before choosing a display: %w", s.exitErr)
			case <-ctx.Done():
				return "", fmt.Errorf("xvfb: unexpected -displayfd output %q%s", res.line, s.stderr.quote())
			}
		}
		return ":" + strconv.Itoa(n), nil
	case <-ctx.Done():
		// Closing r unblocks the reader goroutine once the process is killed.
		return "", fmt.Errorf("xvfb: no display number from Xvfb: %w%s", ctx.Err(), s.stderr.quote())
	}
}

// waitAccepting dials the display's socket until the server answers.
func (s *Server) waitAccepting(ctx context.Context) error {
	path := "/tmp/.X11-unix/X" + strings.TrimPrefix(s.display, ":")
	var d net.Dialer
	for {
		c, err := d.DialContext(ctx, "unix", path)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("xvfb %s: server exited while starting: %w", s.display, s.exitErr)
		case <-ctx.Done():
			return fmt.Errorf("xvfb %s: display does not accept connections on %s: %w", s.display, path, err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

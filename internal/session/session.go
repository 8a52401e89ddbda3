package session

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// KeeperArg is the first argument that makes dreamcomp a session's keeper:
// main calls Keep with the argument after it.
const KeeperArg = "__dream-session-keeper"

// None is the session name that means no session: the display and the
// command end with dreamcomp.
const None = "none"

// ErrNoSession is returned by Stop when no session of that name runs.
var ErrNoSession = errors.New("no such session")

const (
	// startTimeout bounds Attach: Xvfb's start and the command's launch.
	startTimeout = 20 * time.Second
	// helloTimeout is how long a keeper may take to say its display.
	helloTimeout = 5 * time.Second
	// stopTimeout bounds Stop: the command's 3 s, then Xvfb's 5 s.
	stopTimeout = 15 * time.Second
)

// Dir is where sessions live: $XDG_RUNTIME_DIR/dream/sessions, or
// /tmp/dream-UID/sessions where no runtime directory is set.
func Dir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "dream", "sessions")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("dream-%d", os.Getuid()), "sessions")
}

// DefaultName is the session of a display size: dreamcomp started again
// with the same size finds the same desktop.
func DefaultName(width, height int) string { return fmt.Sprintf("%dx%d", width, height) }

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// CheckName says what is wrong with a session name, if anything.
func CheckName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("session name %q: want 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

// Config says which session to attach to, and what to start if it does not
// run yet.
type Config struct {
	Name          string
	Width, Height int
	GLX           bool     // Xvfb with GLX
	Command       []string // run on the display when the session starts; nil for none
	// Dir holds the sessions; "" means Dir().
	Dir string
	// Keeper is the command line that runs Keep, to which the session's
	// directory is appended; nil means this executable with KeeperArg.
	Keeper []string
}

// Session is a connection to a running session. Closing it detaches: the
// session runs on.
type Session struct {
	Name          string
	Display       string // ":N"
	Width, Height int
	Pid           int    // the keeper's
	Started       bool   // this Attach started the session
	LogFile       string // the keeper's log, with the command's output

	conn   net.Conn
	r      *bufio.Reader
	ended  chan struct{}
	err    error  // why it ended badly; set before ended is closed
	reason string // why it ended; set before ended is closed

	closeOnce sync.Once
	closing   chan struct{}
}

type keeperConfig struct {
	Width   int      `json:"width"`
	Height  int      `json:"height"`
	GLX     bool     `json:"glx"`
	Command []string `json:"command,omitempty"`
}

// Attach connects to the session cfg names, first starting it if it does
// not run. A running session whose display has another size than cfg's is
// an error: it is someone else's desktop.
func Attach(ctx context.Context, cfg Config) (*Session, error) {
	if err := CheckName(cfg.Name); err != nil {
		return nil, err
	}
	base := cfg.Dir
	if base == "" {
		base = Dir()
	}
	dir := filepath.Join(base, cfg.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("session %s: %w", cfg.Name, err)
	}
	if err := private(base); err != nil {
		return nil, fmt.Errorf("session %s: %w", cfg.Name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	started := false
	for {
		s, err := dial(ctx, dir)
		if err == nil {
			s.Name, s.Started = cfg.Name, started
			if s.Width != cfg.Width || s.Height != cfg.Height {
				s.Close()
				return nil, fmt.Errorf("session %s runs a %dx%d display, not %dx%d: give another --session, or end it first (dreamcomp --stop --session %s)",
					cfg.Name, s.Width, s.Height, cfg.Width, cfg.Height, cfg.Name)
			}
			return s, nil
		}
		switch {
		case started:
			return nil, fmt.Errorf("session %s: its keeper started but does not answer: %w (see %s)", cfg.Name, err, filepath.Join(dir, "log"))
		case locked(dir):
			// Another dreamcomp is starting it: wait for its display.
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("session %s is still starting after %v, or its keeper is stuck (see %s)", cfg.Name, startTimeout, filepath.Join(dir, "log"))
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		ok, err := startKeeper(ctx, dir, cfg)
		if err != nil {
			return nil, fmt.Errorf("session %s: %w", cfg.Name, err)
		}
		started = ok // not ok: another keeper won the lock; attach to it
	}
}

// dial connects to the keeper in dir and reads its display.
func dial(ctx context.Context, dir string) (*Session, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", filepath.Join(dir, "sock"))
	if err != nil {
		return nil, err
	}
	c.SetReadDeadline(time.Now().Add(helloTimeout))
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("its keeper did not say its display within %v: %w", helloTimeout, err)
	}
	c.SetReadDeadline(time.Time{})
	s := &Session{conn: c, r: r, LogFile: filepath.Join(dir, "log"), ended: make(chan struct{}), closing: make(chan struct{})}
	if _, err := fmt.Sscanf(line, "display %s %dx%d %d\n", &s.Display, &s.Width, &s.Height, &s.Pid); err != nil {
		c.Close()
		return nil, fmt.Errorf("its keeper said %q: %w", strings.TrimSpace(line), err)
	}
	go s.watch()
	return s, nil
}

// watch waits for the keeper's last line, or for its socket to close.
func (s *Session) watch() {
	defer close(s.ended)
	line, err := s.r.ReadString('\n')
	select {
	case <-s.closing:
		s.reason = "detached"
		return
	default:
	}
	status, text, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "ended ")), " ")
	switch {
	case err == nil && status == "ok":
		s.reason = text
	case err == nil && status == "error":
		s.reason, s.err = text, errors.New(text)
	default:
		s.reason = "its keeper (pid " + strconv.Itoa(s.Pid) + ") ended without saying why: killed?"
		s.err = errors.New(s.reason)
	}
}

// Ended is closed when the session ends (or when Close detaches).
func (s *Session) Ended() <-chan struct{} { return s.ended }

// Err says, once Ended is closed, why the session failed: nil when it was
// stopped or its command exited with status 0.
func (s *Session) Err() error { <-s.ended; return s.err }

// Reason says why the session ended, once Ended is closed.
func (s *Session) Reason() string { <-s.ended; return s.reason }

// Close detaches from the session, which runs on.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.conn.Close()
	})
	<-s.ended
	return nil
}

// private checks that dir and the directory above it are this user's and
// no one else may write there: under /tmp, another user could have made
// them first, to plant a keeper's socket.
func private(dir string) error {
	for _, d := range []string{dir, filepath.Dir(dir)} {
		st, err := os.Lstat(d)
		if err != nil {
			return err
		}
		sys, ok := st.Sys().(*syscall.Stat_t)
		if !st.IsDir() || !ok || int(sys.Uid) != os.Getuid() || st.Mode().Perm()&0o022 != 0 {
			return fmt.Errorf("%s is not a directory of this user's that only it may write to: remove it, or set XDG_RUNTIME_DIR", d)
		}
	}
	return nil
}

// locked says whether a keeper holds dir's lock.
func locked(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "lock"))
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	return false // closing f releases the shared lock
}

// startKeeper starts a keeper for dir and waits for its word: true once its
// display is up, false if another keeper already holds the session.
func startKeeper(ctx context.Context, dir string, cfg Config) (bool, error) {
	conf, err := json.Marshal(keeperConfig{Width: cfg.Width, Height: cfg.Height, GLX: cfg.GLX, Command: cfg.Command})
	if err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(dir, "config.json.*")
	if err != nil {
		return false, err
	}
	_, err = tmp.Write(conf)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, "config.json"))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return false, err
	}
	argv := cfg.Keeper
	if argv == nil {
		exe, err := os.Executable()
		if err != nil {
			return false, fmt.Errorf("cannot find this program to run the session's keeper: %w", err)
		}
		argv = []string{exe, KeeperArg}
	}
	r, w, err := os.Pipe()
	if err != nil {
		return false, err
	}
	defer r.Close()
	cmd := exec.Command(argv[0], append(argv[1:len(argv):len(argv)], dir)...)
	cmd.ExtraFiles = []*os.File{w} // fd 3: the keeper's word
	if logf, err := os.OpenFile(filepath.Join(dir, "log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err == nil {
		defer logf.Close()
		cmd.Stderr = logf // a panic's trace, say
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return false, fmt.Errorf("cannot start the session's keeper %s: %w", argv[0], err)
	}
	w.Close()
	go cmd.Wait() // reaped here while this process lives; by init after

	word := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
		word <- strings.TrimSpace(line)
	}()
	select {
	case said := <-word:
		switch {
		case said == "ok":
			return true, nil
		case said == "busy":
			return false, nil
		case strings.HasPrefix(said, "error "):
			return false, errors.New(strings.TrimPrefix(said, "error "))
		default:
			return false, fmt.Errorf("its keeper exited at start without a word (see %s)", filepath.Join(dir, "log"))
		}
	case <-ctx.Done():
		cmd.Process.Kill()
		return false, fmt.Errorf("its keeper did not start the display within %v (see %s)", startTimeout, filepath.Join(dir, "log"))
	}
}

// Stop ends the named session: its command, then its display. It returns
// once the keeper has exited, or ErrNoSession.
func Stop(ctx context.Context, dir, name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if dir == "" {
		dir = Dir()
	}
	ctx, cancel := context.WithTimeout(ctx, stopTimeout)
	defer cancel()
	var s *Session
	for seen := false; ; seen = true {
		var err error
		if s, err = dial(ctx, filepath.Join(dir, name)); err == nil {
			break
		}
		switch {
		case !locked(filepath.Join(dir, name)) && seen:
			return nil // it was ending, and has ended
		case !locked(filepath.Join(dir, name)):
			return noSession(dir, name)
		}
		select { // starting or ending
		case <-ctx.Done():
			return fmt.Errorf("session %s is starting or ending, and its keeper does not answer: %w", name, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	defer s.Close()
	if _, err := io.WriteString(s.conn, "stop\n"); err != nil {
		return fmt.Errorf("session %s: asking it to stop: %w", name, err)
	}
	s.conn.SetReadDeadline(time.Now().Add(stopTimeout))
	select {
	case <-s.ended:
	case <-ctx.Done():
		return fmt.Errorf("session %s (keeper pid %d) did not stop within %v", name, s.Pid, stopTimeout)
	}
	// The keeper's connection closes when it exits.
	if _, err := io.Copy(io.Discard, s.r); err != nil {
		return fmt.Errorf("session %s (keeper pid %d) said it ended, but did not exit within %v", name, s.Pid, stopTimeout)
	}
	return nil
}

// noSession is ErrNoSession, with the sessions that do run.
func noSession(dir, name string) error {
	running, _ := List(dir)
	if len(running) == 0 {
		return fmt.Errorf("session %s: %w (none runs)", name, ErrNoSession)
	}
	names := make([]string, len(running))
	for i, r := range running {
		names[i] = r.Name
	}
	return fmt.Errorf("session %s: %w; running: %s (--session NAME)", name, ErrNoSession, strings.Join(names, ", "))
}

// Info is a running session, as List finds it.
type Info struct {
	Name          string
	Display       string
	Width, Height int
	Pid           int
}

// List returns the sessions that run in dir ("" means Dir()).
func List(dir string) ([]Info, error) {
	if dir == "" {
		dir = Dir()
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, e := range entries {
		if !e.IsDir() || !locked(filepath.Join(dir, e.Name())) {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		s, err := dial(ctx, filepath.Join(dir, e.Name()))
		cancel()
		if err != nil {
			continue
		}
		out = append(out, Info{Name: e.Name(), Display: s.Display, Width: s.Width, Height: s.Height, Pid: s.Pid})
		s.Close()
	}
	return out, nil
}

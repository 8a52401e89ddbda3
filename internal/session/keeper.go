package session

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"dream/internal/xvfb"
)

// commandStopTimeout is how long the command has after SIGTERM.
const commandStopTimeout = 3 * time.Second

// Keep runs a session's keeper for the session directory dir, and returns
// the process's exit status. Its starter reads one word on fd 3: "ok" once
// the display is up and the socket listens, "busy" if another keeper holds
// the session, or "error TEXT".
func Keep(dir string) int {
	syscall.CloseOnExec(3) // not the command's, nor Xvfb's, to hold open
	word := os.NewFile(3, "word")
	say := func(s string) {
		if word != nil {
			fmt.Fprintln(word, s)
			word.Close()
			word = nil
		}
	}
	defer say("error the keeper ended before its display was up")

	logf, err := os.OpenFile(filepath.Join(dir, "log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		say("error " + oneLine(err))
		return 1
	}
	defer logf.Close()
	log := slog.New(slog.NewTextHandler(logf, nil)).With("session", filepath.Base(dir), "pid", os.Getpid())
	fail := func(err error) int {
		log.Error("cannot start the session", "err", err)
		say("error " + oneLine(err))
		return 1
	}

	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fail(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			say("busy")
			return 0
		}
		return fail(fmt.Errorf("lock %s: %w", lock.Name(), err))
	}

	var cfg keeperConfig
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err == nil {
		err = json.Unmarshal(b, &cfg)
	}
	if err != nil {
		return fail(fmt.Errorf("session config: %w", err))
	}

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	x, err := xvfb.Start(context.Background(), xvfb.Config{Width: cfg.Width, Height: cfg.Height, GLX: cfg.GLX, Log: log})
	if err != nil {
		return fail(err)
	}
	defer x.Stop()

	var child *exec.Cmd
	childDone := make(chan error, 1)
	if len(cfg.Command) > 0 {
		child = exec.Command(cfg.Command[0], cfg.Command[1:]...)
		child.Env = append(os.Environ(), "DISPLAY="+x.Display())
		child.Stdout, child.Stderr = logf, logf
		// Its own process group, so that stopping it stops what it started;
		// SIGTERM if the keeper dies.
		child.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
		if err := child.Start(); err != nil {
			return fail(fmt.Errorf("cannot start %s: %w", cfg.Command[0], err))
		}
		go func() { childDone <- child.Wait() }()
		defer stopCommand(child, childDone)
	}

	sock := filepath.Join(dir, "sock")
	os.Remove(sock) // a keeper before this one died; the lock says none runs
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return fail(err)
	}
	defer os.Remove(sock)
	defer ln.Close()

	k := &keeper{hello: fmt.Sprintf("display %s %dx%d %d\n", x.Display(), cfg.Width, cfg.Height, os.Getpid()),
		conns: map[net.Conn]bool{}, stop: make(chan struct{})}
	go k.serve(ln)
	log.Info("session started", "display", x.Display(), "size", fmt.Sprintf("%dx%d", cfg.Width, cfg.Height), "command", cfg.Command)
	say("ok")

	var ok bool
	var why string
	select {
	case err := <-childDone:
		childDone <- err // for stopCommand
		ok, why = err == nil, fmt.Sprintf("%s ended", cfg.Command[0])
		if err != nil {
			why = fmt.Sprintf("%s: %v", cfg.Command[0], err)
		}
	case <-x.Done():
		why = oneLine(x.Err())
	case <-k.stop:
		ok, why = true, "stopped (dreamcomp --stop)"
	case sig := <-signals:
		ok, why = true, "its keeper got "+sig.String()
	}
	log.Info("session ends", "why", why)
	k.end(ok, why)
	return 0
}

// keeper serves a session's clients.
type keeper struct {
	hello    string
	mu       sync.Mutex
	conns    map[net.Conn]bool
	ended    bool
	stop     chan struct{} // closed when a client asks
	stopOnce sync.Once
}

func (k *keeper) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		k.mu.Lock()
		if k.ended {
			k.mu.Unlock()
			c.Close()
			continue
		}
		c.SetWriteDeadline(time.Now().Add(time.Second))
		_, err = io.WriteString(c, k.hello) // before any "ended"
		if err == nil {
			k.conns[c] = true
		}
		k.mu.Unlock()
		if err != nil {
			c.Close()
			continue
		}
		go k.client(c)
	}
}

// client waits for one client's "stop".
func (k *keeper) client(c net.Conn) {
	defer func() {
		k.mu.Lock()
		if !k.ended { // after the end, its close waits for the keeper's exit
			delete(k.conns, c)
			c.Close()
		}
		k.mu.Unlock()
	}()
	sc := bufio.NewScanner(io.LimitReader(c, 1024))
	for sc.Scan() {
		if sc.Text() == "stop" {
			k.stopOnce.Do(func() { close(k.stop) })
		}
	}
}

// end tells every client why the session ended, before the command and the
// display go. Their connections close when the keeper exits, so that a
// client that reads on to the end knows the session is gone.
func (k *keeper) end(ok bool, why string) {
	status := "error"
	if ok {
		status = "ok"
	}
	line := "ended " + status + " " + oneLine(errors.New(why)) + "\n"
	k.mu.Lock()
	defer k.mu.Unlock()
	k.ended = true
	for c := range k.conns {
		c.SetWriteDeadline(time.Now().Add(time.Second))
		io.WriteString(c, line)
	}
}

// stopCommand ends the command's process group: SIGTERM, then SIGKILL.
func stopCommand(cmd *exec.Cmd, done chan error) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case err := <-done:
		done <- err
	case <-time.After(commandStopTimeout):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// Package barriertest runs Debian's barriers (Barrier's server) for tests, as
// the Synergy-protocol peer that dreaminput and dreamcomp join.
package barriertest

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running barriers.
type Server struct {
	Addr string // 127.0.0.1:PORT
	log  lines
}

// Start runs barriers on display with conf (a Barrier configuration naming its
// own screen "srv"), in plain TCP, and waits until it listens. It stops when the
// test ends.
func Start(t testing.TB, display, conf string) *Server {
	t.Helper()
	if _, err := exec.LookPath("barriers"); err != nil {
		t.Fatal("barriers is not installed: run scripts/setup (Debian's barrier package)")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "barrier.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: l.Addr().String()}
	l.Close()
	cmd := exec.Command("barriers", "-f", "--no-tray", "--disable-crypto", "-n", "srv", "-a", s.Addr,
		"-c", path, "--display", display, "--profile-dir", dir, "--debug", "DEBUG")
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	go s.log.collect(bufio.NewScanner(out))
	s.WaitFor(t, 10*time.Second, "started server")
	return s
}

// Said reports whether barriers has logged a line containing s.
func (s *Server) Said(text string) bool { return s.log.has(text) }

// WaitFor waits until barriers logs a line containing text.
func (s *Server) WaitFor(t testing.TB, within time.Duration, text string) {
	t.Helper()
	for deadline := time.Now().Add(within); !s.log.has(text); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("barriers did not say %q within %v; it said:\n%s", text, within, s.log.String())
		}
	}
}

type lines struct {
	mu  sync.Mutex
	all []string
}

func (l *lines) collect(sc *bufio.Scanner) {
	for sc.Scan() {
		l.mu.Lock()
		l.all = append(l.all, sc.Text())
		l.mu.Unlock()
	}
}

func (l *lines) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.all {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n")
}

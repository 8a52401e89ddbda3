package session

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dream/internal/xvfb/xvfbtest"
)

// TestMain lets the test binary be a session's keeper, as dreamcomp is.
func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == KeeperArg {
		os.Exit(Keep(os.Args[2]))
	}
	os.Exit(m.Run())
}

// attach attaches to the session name in dir, and stops the session when
// the test ends.
func attach(t *testing.T, dir, name string, w, h int, command ...string) *Session {
	t.Helper()
	s, err := Attach(context.Background(), Config{Name: name, Width: w, Height: h, Command: command, Dir: dir,
		Keeper: []string{os.Args[0], KeeperArg}})
	if err != nil {
		t.Fatalf("attach %s: %v", name, err)
	}
	t.Cleanup(func() {
		s.Close()
		if err := Stop(context.Background(), dir, name); err != nil && !errors.Is(err, ErrNoSession) {
			t.Errorf("stop %s: %v", name, err)
		}
	})
	return s
}

// windows are the ids of the top-level windows of class on display.
func windows(t *testing.T, display, class string) string {
	t.Helper()
	cmd := exec.Command("xdotool", "search", "--class", class)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, _ := cmd.Output() // status 1: none yet
	return strings.TrimSpace(string(out))
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// TestOutlivesItsClient: the applications of a session stay when the
// dreamcomp that started it goes; the next attach finds the same display and
// the same windows; Stop ends them all.
func TestOutlivesItsClient(t *testing.T) {
	dir := t.TempDir()
	s := attach(t, dir, "desk", 320, 200, "xclock")
	if !s.Started {
		t.Errorf("the first attach did not start the session")
	}
	var ids string
	deadline := time.Now().Add(10 * time.Second)
	for ids = windows(t, s.Display, "XClock"); ids == ""; ids = windows(t, s.Display, "XClock") {
		if time.Now().After(deadline) {
			t.Fatal("xclock opened no window on the session's display")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The X server, by its pid: after Stop, another may take its number.
	xvfbPid := xvfbtest.ServerPid(t, s.Display)
	s.Close()
	if got := s.Reason(); got != "detached" {
		t.Errorf("after Close the session says %q; want detached", got)
	}

	again := attach(t, dir, "desk", 320, 200, "xclock")
	if again.Started || again.Display != s.Display || again.Pid != s.Pid {
		t.Errorf("second attach: started %v, display %s, keeper %d; want the running session's %s, keeper %d",
			again.Started, again.Display, again.Pid, s.Display, s.Pid)
	}
	if got := windows(t, again.Display, "XClock"); got != ids {
		t.Errorf("xclock's windows after attaching again: %q; want the same as before, %q", got, ids)
	}
	if list, err := List(dir); err != nil || len(list) != 1 || list[0].Name != "desk" || list[0].Display != s.Display {
		t.Errorf("List: %+v, %v; want the one session desk on %s", list, err, s.Display)
	}

	if err := Stop(context.Background(), dir, "desk"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-again.Ended():
	case <-time.After(5 * time.Second):
		t.Fatal("an attached client was not told that the session ended")
	}
	if again.Err() != nil || !strings.Contains(again.Reason(), "stopped") {
		t.Errorf("after Stop: err %v, reason %q; want no error, and stopped", again.Err(), again.Reason())
	}
	waitGone(t, s.Pid)   // exited; this process may reap it a moment later
	waitGone(t, xvfbPid) // its display, and with it xclock
	if err := Stop(context.Background(), dir, "desk"); !errors.Is(err, ErrNoSession) {
		t.Errorf("Stop of a stopped session: %v; want ErrNoSession", err)
	}
}

// TestEndsWithItsCommand: the session ends when its command does, and says
// how the command ended.
func TestEndsWithItsCommand(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		command []string
		fails   bool
		says    string
	}{
		{[]string{"sh", "-c", "sleep 0.5"}, false, "sh ended"},
		{[]string{"sh", "-c", "sleep 0.5; exit 3"}, true, "exit status 3"},
	} {
		s := attach(t, dir, "cmd", 64, 64, tc.command...)
		select {
		case <-s.Ended():
		case <-time.After(10 * time.Second):
			t.Fatalf("%q: the session did not end with its command", tc.command)
		}
		if (s.Err() != nil) != tc.fails || !strings.Contains(s.Reason(), tc.says) {
			t.Errorf("%q: err %v, reason %q; want failed %v, saying %q", tc.command, s.Err(), s.Reason(), tc.fails, tc.says)
		}
		waitGone(t, s.Pid)
	}
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d still runs", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStartedOnce: two attaches at once start one session between them.
func TestStartedOnce(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	got := make([]*Session, 2)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Attach(context.Background(), Config{Name: "race", Width: 64, Height: 64, Dir: dir,
				Keeper: []string{os.Args[0], KeeperArg}})
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = s
		}()
	}
	wg.Wait()
	t.Cleanup(func() { Stop(context.Background(), dir, "race") })
	if t.Failed() {
		return
	}
	defer got[0].Close()
	defer got[1].Close()
	if got[0].Display != got[1].Display || got[0].Started == got[1].Started {
		t.Errorf("two attaches: displays %s and %s, started %v and %v; want one display, started once",
			got[0].Display, got[1].Display, got[0].Started, got[1].Started)
	}
}

// TestMisfits: a session of another size, a bad name, and a keeper killed
// under its clients.
func TestMisfits(t *testing.T) {
	dir := t.TempDir()
	s := attach(t, dir, "size", 64, 64)
	if _, err := Attach(context.Background(), Config{Name: "size", Width: 128, Height: 64, Dir: dir,
		Keeper: []string{os.Args[0], KeeperArg}}); err == nil || !strings.Contains(err.Error(), "64x64") {
		t.Errorf("attach at another size: %v; want an error naming the session's 64x64", err)
	}
	if err := Stop(context.Background(), dir, "other"); !errors.Is(err, ErrNoSession) || !strings.Contains(err.Error(), "size") {
		t.Errorf("Stop of a session that does not run: %v; want ErrNoSession naming the one that runs", err)
	}
	open := t.TempDir() // a sessions directory others may write to
	os.Chmod(open, 0o777)
	if _, err := Attach(context.Background(), Config{Name: "x", Width: 64, Height: 64, Dir: filepath.Join(open, "sessions"),
		Keeper: []string{os.Args[0], KeeperArg}}); err == nil || !strings.Contains(err.Error(), "only it may write") {
		t.Errorf("attach under a directory anyone may write to: %v; want a refusal", err)
	}
	for _, bad := range []string{"", "../x", "a/b", "-x", strings.Repeat("a", 65)} {
		if _, err := Attach(context.Background(), Config{Name: bad, Width: 64, Height: 64, Dir: dir}); err == nil {
			t.Errorf("attach to session %q: no error", bad)
		}
	}

	syscall.Kill(s.Pid, syscall.SIGKILL)
	select {
	case <-s.Ended():
	case <-time.After(5 * time.Second):
		t.Fatal("a client was not told that the keeper died")
	}
	if s.Err() == nil || !strings.Contains(s.Reason(), "killed") {
		t.Errorf("after the keeper was killed: err %v, reason %q", s.Err(), s.Reason())
	}
	// The next attach starts the session afresh.
	if again := attach(t, dir, "size", 64, 64); !again.Started {
		t.Errorf("attach after the keeper died did not start a new session")
	}
}

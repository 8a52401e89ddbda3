package xvfb_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

func TestStartStop(t *testing.T) {
	srv, err := xvfb.Start(context.Background(), xvfb.Config{Width: 320, Height: 200})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	d := srv.Display()
	if !strings.HasPrefix(d, ":") {
		t.Fatalf("Display() = %q; want \":N\"", d)
	}
	c, err := net.Dial("unix", "/tmp/.X11-unix/X"+d[1:])
	if err != nil {
		t.Fatalf("display %s does not accept connections after Start: %v", d, err)
	}
	c.Close()
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	select {
	case <-srv.Done():
	default:
		t.Fatal("Done() not closed after Stop")
	}
	if err := srv.Err(); err != nil {
		t.Errorf("Err() after Stop = %v; want nil", err)
	}
	if err := srv.Stop(); err != nil {
		t.Errorf("second Stop = %v; want nil", err)
	}
}

func TestTwoServersTwoDisplays(t *testing.T) {
	a := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 200})
	b := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 200, GLX: true})
	if a.Display() == b.Display() {
		t.Fatalf("two servers share display %s", a.Display())
	}
}

func TestDoneWhenKilled(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 200})
	if err := syscall.Kill(srv.Pid(), syscall.SIGKILL); err != nil {
		t.Fatalf("kill Xvfb: %v", err)
	}
	select {
	case <-srv.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done() not closed 5 s after Xvfb was killed")
	}
	if err := srv.Err(); err == nil || !strings.Contains(err.Error(), srv.Display()) {
		t.Errorf("Err() = %v; want an error naming %s", err, srv.Display())
	}
}

func TestNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := xvfb.Start(context.Background(), xvfb.Config{})
	if !errors.Is(err, xvfb.ErrNotInstalled) || !strings.Contains(err.Error(), "install xvfb") {
		t.Fatalf("Start without Xvfb = %v; want ErrNotInstalled telling to install xvfb", err)
	}
}

func TestBadSize(t *testing.T) {
	for _, cfg := range []xvfb.Config{{Width: -1, Height: 100}, {Width: 100}} {
		if srv, err := xvfb.Start(context.Background(), cfg); err == nil {
			srv.Stop()
			t.Errorf("Start(%dx%d) = nil error; want one", cfg.Width, cfg.Height)
		}
	}
}

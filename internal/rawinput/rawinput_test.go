package rawinput

import (
	"errors"
	"testing"
	"time"

	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

// next waits up to 5 s for Next.
func next(t *testing.T, w *Watcher) (dx, dy float64, err error) {
	t.Helper()
	type res struct {
		dx, dy float64
		err    error
	}
	c := make(chan res, 1)
	go func() { dx, dy, err := w.Next(); c <- res{dx, dy, err} }()
	select {
	case r := <-c:
		return r.dx, r.dy, r.err
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not return within 5 s")
	}
	return
}

// TestMotion: relative motion through XTEST (as a mouse's) arrives as raw
// deltas, also when the pointer is stuck at the screen's edge; a warp (no
// device moved) does not.
func TestMotion(t *testing.T) {
	x := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240})
	w, err := Open(x.Display())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	xvfbtest.Xdotool(t, x.Display(), "mousemove", "10", "10") // a warp: no raw motion
	xvfbtest.Xdotool(t, x.Display(), "mousemove_relative", "--", "7", "-3")
	dx, dy, err := next(t, w)
	if err != nil || dx != 7 || dy != -3 {
		t.Errorf("Next() = %v, %v, %v; want 7, -3, nil", dx, dy, err)
	}
	// Push past the right edge: the pointer stays at 319, the device still moved.
	xvfbtest.Xdotool(t, x.Display(), "mousemove_relative", "--", "1000", "0")
	if dx, _, err := next(t, w); err != nil || dx != 1000 {
		t.Errorf("Next() past the edge = %v, %v; want 1000, nil", dx, err)
	}
	xvfbtest.Xdotool(t, x.Display(), "mousemove_relative", "--", "40", "0")
	if dx, _, err := next(t, w); err != nil || dx != 40 {
		t.Errorf("Next() at the edge = %v, %v; want 40, nil", dx, err)
	}
	if px, _, _ := xvfbtest.Pointer(t, x.Display()); px != 319 {
		t.Errorf("pointer x = %d; want 319 (at the edge)", px)
	}
}

// TestWarps: with WatchWarps, a program's warp of the pointer (xdotool
// mousemove is XWarpPointer) wakes Next, with no motion; nothing wakes it
// while nothing happens; and Close still frees it all.
func TestWarps(t *testing.T) {
	x := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240})
	w, err := Open(x.Display())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.WatchWarps(); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"10", "200"} {
		xvfbtest.Xdotool(t, x.Display(), "mousemove", to, to)
		if dx, dy, err := next(t, w); err != nil || dx != 0 || dy != 0 {
			t.Errorf("Next() after a warp to %s = %v, %v, %v; want 0, 0, nil", to, dx, dy, err)
		}
	}
	quiet := make(chan error, 1)
	go func() { _, _, err := w.Next(); quiet <- err }()
	select {
	case err := <-quiet:
		t.Errorf("Next returned (%v) with nothing moving", err)
	case <-time.After(300 * time.Millisecond):
	}
	xvfbtest.Xdotool(t, x.Display(), "mousemove_relative", "--", "5", "0")
	select {
	case err := <-quiet:
		if err != nil {
			t.Errorf("Next after relative motion: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not return after relative motion")
	}
}

// TestClose: Close wakes a waiting Next.
func TestClose(t *testing.T) {
	x := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240})
	w, err := Open(x.Display())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, _, err := w.Next(); done <- err }()
	time.Sleep(100 * time.Millisecond)
	w.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("Next after Close: %v; want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake Next")
	}
}

// TestServerGone: the X server exiting ends Next with an error; the process
// lives on (Xlib would exit it).
func TestServerGone(t *testing.T) {
	x := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240})
	w, err := Open(x.Display())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	done := make(chan error, 1)
	go func() { _, _, err := w.Next(); done <- err }()
	x.Stop()
	select {
	case err := <-done:
		if err == nil || errors.Is(err, ErrClosed) {
			t.Errorf("Next after the server went: %v; want connection lost", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not return after the server went")
	}
}

func TestOpenNoDisplay(t *testing.T) {
	if _, err := Open(":9871"); err == nil {
		t.Fatal("Open(:9871) succeeded with no server there")
	}
}

package compositor_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"dream/compositor"
	"dream/internal/xvfb/xvfbtest"
	"dream/proto"
	"dream/viewer/client"
)

// TestPointerFollowsMotion: the pointer moved by a device (XTEST's, as a
// mouse) reaches the viewer at once, from raw motion; so does a warp
// (XWarpPointer, as a program does), from the RECORD extension. Nothing
// polls the pointer.
func TestPointerFollowsMotion(t *testing.T) {
	_, display, url := serveDesktop(t, 320, 240, 1, compositor.Config{Codec: "vp8"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	at := make(chan proto.CursorPos, 64)
	startViewerWith(t, ctx, client.Config{URL: url, Tile: 1, OnCursorPos: func(p proto.CursorPos) { at <- p }}, true)

	xvfbtest.Xdotool(t, display, "mousemove", "100", "100") // a warp
	waitPos := func(x, y int16, within time.Duration) {
		t.Helper()
		deadline := time.After(within)
		for {
			select {
			case p := <-at:
				if p.X == x && p.Y == y {
					return
				}
			case <-deadline:
				t.Fatalf("no cursor position %d,%d within %v", x, y, within)
			}
		}
	}
	waitPos(100, 100, 3*time.Second)
	bound := 200 * time.Millisecond
	if raceEnabled {
		bound = time.Second
	}
	for i := range 5 {
		start := time.Now()
		xvfbtest.Xdotool(t, display, "mousemove_relative", "--", "7", "3")
		want := int16(100 + 7*(i+1))
		waitPos(want, 100+3*int16(i+1), 3*time.Second)
		if took := time.Since(start); took > bound {
			t.Errorf("moved by a device: the viewer had the position %v later; want within %v (raw motion)", took, bound)
		}
	}
	for i := range 5 {
		start := time.Now()
		to := 20 + 30*i
		xvfbtest.Xdotool(t, display, "mousemove", fmt.Sprint(to), "50")
		waitPos(int16(to), 50, 3*time.Second)
		if took := time.Since(start); took > bound {
			t.Errorf("warped by a program: the viewer had the position %v later; want within %v (RECORD)", took, bound)
		}
	}
}

package compositor_test

import (
	"context"
	"fmt"
	"image"
	"net/http/httptest"
	"testing"
	"time"

	"dream/compositor"
	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

// serveDesktop runs a compositor spanning span tiles of an Xvfb of w×h for
// the test, and returns it, its display and its URL.
func serveDesktop(t *testing.T, w, h, span int, cfg compositor.Config) (*compositor.Compositor, string, string) {
	t.Helper()
	x := xvfbtest.StartForTest(t, xvfb.Config{Width: w, Height: h})
	cfg.Display, cfg.Span, cfg.LoopbackOnly = x.Display(), span, true
	comp, err := compositor.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(comp.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- comp.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-runErr; err != nil {
			t.Errorf("Run: %v", err)
		}
		srv.Close()
		comp.Close()
	})
	return comp, x.Display(), srv.URL
}

// exactly reports how many pixels of pic differ from want (RGB).
func differing(pic, want *image.RGBA) int {
	if pic.Rect.Size() != want.Rect.Size() {
		return pic.Rect.Dx() * pic.Rect.Dy()
	}
	n := 0
	for y := 0; y < pic.Rect.Dy(); y++ {
		a, b := pic.Pix[y*pic.Stride:], want.Pix[y*want.Stride:]
		for x := 0; x < 4*pic.Rect.Dx(); x += 4 {
			if a[x] != b[x] || a[x+1] != b[x+1] || a[x+2] != b[x+2] {
				n++
			}
		}
	}
	return n
}

// TestStillIsExact: real applications on a desktop spanning three tiles;
// once the desktop is still, every viewer's picture is its region of the X
// screen, pixel for pixel, for text, UI and a photo alike.
func TestStillIsExact(t *testing.T) {
	checkGoroutines(t)
	const w, h = 3 * 640, 400
	for _, codec := range []string{"h264", "vp8"} {
		t.Run(codec, func(t *testing.T) {
			comp, display, url := serveDesktop(t, w, h, 3, compositor.Config{Codec: codec})
			xvfbtest.StartApps(t, display, w)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var viewers []*viewer
			for i := range 3 {
				viewers = append(viewers, startViewerLanes(t, ctx, url, i+1, true))
			}
			screen := xvfbtest.Screenshot(t, display)
			for i, v := range viewers {
				want := region(screen, comp.Layout().Tiles[i].Rect)
				start := time.Now()
				v.waitFor(t, fmt.Sprintf("tile %d is exactly its region of the screen", i+1), func(pic *image.RGBA) bool {
					return differing(pic, want) == 0
				})
				t.Logf("tile %d exact %v after the first check; %+v", i+1, time.Since(start).Round(time.Millisecond), v.pic.Stats())
			}
		})
	}
}

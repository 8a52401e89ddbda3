package compositor_test

import (
	"context"
	"fmt"
	"image"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"
	"time"

	"dream/compositor"
	"dream/internal/testpattern"
	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
	"dream/viewer/client"
)

// serveDesktop runs a compositor spanning span tiles of an Xvfb of w×h for
// the test, and returns it, its display and its URL.
func serveDesktop(t *testing.T, w, h, span int, cfg compositor.Config) (*compositor.Compositor, string, string) {
	t.Helper()
	x := xvfbtest.StartForTest(t, xvfb.Config{Width: w, Height: h})
	cfg.Display, cfg.Span, cfg.LoopbackOnly = x.Display(), span, true
	if cfg.Log == nil {
		cfg.Log = failureLog(t, "the desktop")
	}
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

// echoTerminal opens an xterm at the top left of display whose terminal
// echoes what is typed (it runs cat), and waits until it is on screen and
// still.
func echoTerminal(t *testing.T, display string) {
	t.Helper()
	cmd := exec.Command("xterm", "-geometry", "60x8+0+0", "-e", "cat")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LC_ALL=C.UTF-8")
	if err := cmd.Start(); err != nil {
		t.Fatalf("xterm: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	xvfbtest.WaitWindow(t, display, "xterm", 10*time.Second)
	xvfbtest.Xdotool(t, display, "mousemove", "100", "50") // focus follows the pointer
	xvfbtest.Still(t, display, 200*time.Millisecond)
}

// TestTypingCostsNoVideo: characters typed into an xterm reach a dreamview
// viewer as patches, at most one a character, each glyph exact as it comes,
// and the video encoder runs not once.
func TestTypingCostsNoVideo(t *testing.T) {
	checkGoroutines(t)
	comp, display, url := serveDesktop(t, 640, 240, 1, compositor.Config{})
	echoTerminal(t, display)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	v := startViewerLanes(t, ctx, url, 1, true)
	v.waitFor(t, "the first picture is exact", func(pic *image.RGBA) bool {
		return differing(pic, xvfbtest.Screenshot(t, display)) == 0
	})
	settle(comp)
	time.Sleep(300 * time.Millisecond) // coarse parts of the first keyframe refined
	before := comp.Stats()[0]
	const text = "the quick brown fox jumps over the lazy dog 012345" // 50
	screen := xvfbtest.Screenshot(t, display)
	for i, c := range text {
		n := comp.Stats()[0].Patches
		xvfbtest.Xdotool(t, display, "type", string(c))
		// The X server has drawn the glyph: wait for the screen to change.
		var now *image.RGBA
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if now = xvfbtest.Screenshot(t, display); differing(now, screen) > 0 || time.Now().After(deadline) {
				break
			}
		}
		screen = now
		v.waitFor(t, fmt.Sprintf("character %d (%q) is exact at the viewer", i+1, c), func(pic *image.RGBA) bool {
			return differing(pic, screen) == 0
		})
		if d := comp.Stats()[0].Patches - n; d != 1 {
			t.Logf("character %d (%q): %d patch messages", i+1, c, d)
		}
	}
	after := comp.Stats()[0]
	t.Logf("%d characters: %d patch messages, %d bytes, %d video frames", len(text),
		after.Patches-before.Patches, after.PatchBytes-before.PatchBytes, after.Frames-before.Frames)
	if n := after.Frames - before.Frames; n != 0 {
		t.Errorf("typing %d characters encoded %d video frames; want 0", len(text), n)
	}
	if n := after.Patches - before.Patches; n > uint64(len(text)) || n == 0 {
		t.Errorf("typing %d characters sent %d patch messages; want 1 to %d", len(text), n, len(text))
	}
}

// TestPlainWHEPGetsEverything: a WHEP player with no data channel at all (as
// GStreamer's whepsrc) still gets every change, in the video.
func TestPlainWHEPGetsEverything(t *testing.T) {
	checkGoroutines(t)
	comp, display, url := serveDesktop(t, 640, 240, 1, compositor.Config{})
	echoTerminal(t, display)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plain := startPlain(t, ctx, url, 1)
	patched := startViewerLanes(t, ctx, url, 1, true)
	xvfbtest.Xdotool(t, display, "type", "--delay", "30", "typed for a plain WHEP player")
	xvfbtest.Still(t, display, 200*time.Millisecond)
	screen := xvfbtest.Screenshot(t, display)
	plain.waitFor(t, "the plain player shows the typed text at 30 dB or more", func(pic *image.RGBA) bool {
		return psnr(pic, screen) >= 30
	})
	patched.waitFor(t, "the dreamview beside it shows it exactly", func(pic *image.RGBA) bool {
		return differing(pic, screen) == 0
	})
	st := comp.Stats()[0]
	t.Logf("plain %.1f dB; tile: %d frames, %d patches, %d patch viewers of %d", psnr(plain.picture(t), screen), st.Frames, st.Patches, st.PatchViewers, st.Viewers)
	if st.Viewers != 2 || st.PatchViewers != 1 {
		t.Errorf("tile has %d viewers, %d on the patch channel; want 2 and 1", st.Viewers, st.PatchViewers)
	}
}

// startPlain starts a headless viewer that opens no data channel.
func startPlain(t *testing.T, ctx context.Context, url string, tile int) *viewer {
	return startViewerWith(t, ctx, client.Config{URL: url, Tile: tile, Plain: true}, false)
}

// TestMotionIsVideo: a large region scrolling at 60 Hz, which would cost
// more as patches than as video, goes as video at the rate it moves; once it
// stops, the viewer's picture is exact within 300 ms.
func TestMotionIsVideo(t *testing.T) {
	checkGoroutines(t)
	comp, display, url := serveDesktop(t, 1280, 720, 1, compositor.Config{})
	pat, err := testpattern.Start(display, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer pat.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	v := startViewerLanes(t, ctx, url, 1, true)
	v.waitFor(t, "the first picture is exact", func(pic *image.RGBA) bool {
		return differing(pic, xvfbtest.Screenshot(t, display)) == 0
	})
	before := comp.Stats()[0]
	tick := time.NewTicker(time.Second / 60)
	start := time.Now()
	steps := 0
	for time.Since(start) < 2*time.Second {
		<-tick.C
		steps++
		if err := pat.Scroll(pat.Tile(1), 4*steps); err != nil {
			t.Fatal(err)
		}
	}
	tick.Stop()
	stopped := time.Now()
	screen := xvfbtest.Screenshot(t, display)
	after := comp.Stats()[0]
	fps := float64(after.Frames-before.Frames) / stopped.Sub(start).Seconds()
	t.Logf("%d scroll steps in %v: %d video frames (%.0f a second), %d patches, %d KB of them",
		steps, stopped.Sub(start).Round(time.Millisecond), after.Frames-before.Frames, fps, after.Patches-before.Patches, (after.PatchBytes-before.PatchBytes)>>10)
	// Under the race detector the scroll cannot keep its pace nor the coder
	// its speed, so the lane's choice (by cost) is not a user's: only the end
	// is checked then; scripts/test runs this again without it.
	minFPS, exactIn := 20.0, 300*time.Millisecond
	if raceEnabled {
		minFPS, exactIn = 0, 3*time.Second
	}
	if fps < minFPS {
		t.Errorf("a scrolling tile sent %.0f video frames a second; want it in the video lane, at %.0f or more on this machine", fps, minFPS)
	}
	v.waitFor(t, "the picture is exact once the scrolling stopped", func(pic *image.RGBA) bool {
		return differing(pic, screen) == 0
	})
	if d := time.Since(stopped); d > exactIn {
		t.Errorf("the picture was exact %v after the scrolling stopped; want within %v", d.Round(time.Millisecond), exactIn)
	} else {
		t.Logf("exact %v after the scrolling stopped", d.Round(time.Millisecond))
	}
}

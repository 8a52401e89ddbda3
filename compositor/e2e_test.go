package compositor_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"io"
	"log/slog"
	"math"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"dream/compositor"
	"dream/internal/testpattern"
	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
	"dream/viewer/client"
	"dream/viewer/compose"
	"dream/viewer/player"
)

const (
	tileW, tileH = 320, 240
	span         = 3
)

// TestSpanEndToEnd runs the whole pipeline for each codec: Xvfb with the test
// pattern, a compositor spanning three tiles, and headless viewers over real
// WebRTC on loopback.
func TestSpanEndToEnd(t *testing.T) {
	for _, codec := range []string{"h264", "vp8"} {
		t.Run(codec, func(t *testing.T) { testSpan(t, codec) })
	}
}

func testSpan(t *testing.T, codec string) {
	checkGoroutines(t)
	x := xvfbtest.StartForTest(t, xvfb.Config{Width: span * tileW, Height: tileH})
	pat, err := testpattern.Start(x.Display(), span)
	if err != nil {
		t.Fatal(err)
	}
	defer pat.Close()

	comp, err := compositor.New(compositor.Config{Display: x.Display(), Span: span, Codec: codec, LoopbackOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer comp.Close()
	srv := httptest.NewServer(comp.Handler())
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- comp.Run(ctx) }()

	viewers := make([]*viewer, span)
	for i := range viewers {
		viewers[i] = startViewer(t, ctx, srv.URL, i+1)
	}
	screen := xvfbtest.Screenshot(t, x.Display())

	// Each viewer shows its own region of the X screen.
	for i, v := range viewers {
		want := region(screen, comp.Layout().Tiles[i].Rect)
		v.waitFor(t, fmt.Sprintf("tile %d matches its region of the screen", i+1), func(pic *image.RGBA) bool {
			return psnr(pic, want) >= 30
		})
		pic := v.picture(t)
		t.Logf("tile %d: %.1f dB", i+1, psnr(pic, want))
		// And not another tile's: the tiles' contents differ.
		other := region(screen, comp.Layout().Tiles[(i+1)%span].Rect)
		if p := psnr(pic, other); p >= 30 {
			t.Errorf("tile %d also matches tile %d at %.1f dB: the pattern's tiles are not distinct", i+1, (i+1)%span+1, p)
		}
	}

	// A static desktop encodes nothing.
	settle(comp)
	before := comp.Stats()
	time.Sleep(2 * time.Second)
	after := comp.Stats()
	for i := range before {
		if after[i].Frames != before[i].Frames {
			t.Errorf("static desktop: tile %d encoded %d frames in 2 s; want 0", i+1, after[i].Frames-before[i].Frames)
		}
	}

	// A change inside tile 2 reaches viewer 2, and tiles 1 and 3 encode nothing.
	t2 := comp.Layout().Tiles[1].Rect
	box := image.Rect(t2.Min.X+40, t2.Min.Y+40, t2.Min.X+120, t2.Min.Y+100)
	magenta := color.RGBA{255, 0, 255, 255}
	before = comp.Stats()
	changed := time.Now()
	if err := pat.Fill(box, magenta); err != nil {
		t.Fatal(err)
	}
	local := box.Sub(t2.Min)
	viewers[1].waitFor(t, "viewer 2 shows the magenta box", func(pic *image.RGBA) bool {
		return near(meanRGB(pic, local.Inset(4)), magenta, 24)
	})
	t.Logf("change in tile 2 shown by viewer 2 after %v", time.Since(changed).Round(time.Millisecond))
	settle(comp)
	after = comp.Stats()
	for _, i := range []int{0, 2} {
		if after[i].Frames != before[i].Frames {
			t.Errorf("a change in tile 2 made tile %d encode %d frames; want 0", i+1, after[i].Frames-before[i].Frames)
		}
	}
	if after[1].Frames == before[1].Frames {
		t.Errorf("tile 2 encoded no frame for its change")
	}

	// Two viewers of one tile share its one encoder: both receive every frame it sends.
	mirror := startViewer(t, ctx, srv.URL, 2)
	mirror.waitFor(t, "the second viewer of tile 2 shows the magenta box", func(pic *image.RGBA) bool {
		return near(meanRGB(pic, local.Inset(4)), magenta, 24)
	})
	settle(comp)
	if n := comp.Stats()[1].Viewers; n != 2 {
		t.Errorf("tile 2 has %d viewers; want 2", n)
	}
	sent := comp.Stats()[1].Frames
	gotA, gotB := viewers[1].frames(), mirror.frames()
	green := color.RGBA{0, 200, 0, 255}
	for k := 0; k < 5; k++ {
		c := magenta
		if k%2 == 0 {
			c = green
		}
		if err := pat.Fill(box, c); err != nil {
			t.Fatal(err)
		}
		for _, v := range []*viewer{viewers[1], mirror} {
			v.waitFor(t, fmt.Sprintf("change %d shown", k), func(pic *image.RGBA) bool {
				return near(meanRGB(pic, local.Inset(4)), c, 24)
			})
		}
	}
	settle(comp)
	sentNow := comp.Stats()[1].Frames - sent
	a, b := viewers[1].frames()-gotA, mirror.frames()-gotB
	if a != sentNow || b != sentNow {
		t.Errorf("tile 2 sent %d frames; viewers received %d and %d; want every frame to reach both", sentNow, a, b)
	}
	for _, i := range []int{0, 2} {
		if d := comp.Stats()[i].Frames - after[i].Frames; d != 0 {
			t.Errorf("changes in tile 2 made tile %d encode %d frames; want 0", i+1, d)
		}
	}
	// Only the changed parts were grabbed; the whole picture still matches the screen.
	want := region(xvfbtest.Screenshot(t, x.Display()), t2)
	for _, v := range []*viewer{viewers[1], mirror} {
		if p := psnr(v.picture(t), want); p < 30 {
			t.Errorf("after the changes, a viewer of tile 2 matches its region at %.1f dB; want ≥ 30", p)
		}
	}

	cancel()
	if err := <-runErr; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// checkGoroutines fails t if goroutines started during it are still running
// a few seconds after it and its cleanups end: every goroutine needs an owner
// that stops it.
func checkGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() { // registered first, so it runs after every other cleanup
		n := 0
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if n = runtime.NumGoroutine(); n <= before {
				return
			}
		}
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	})
}

// settle waits until no tile has sent a frame for 300 ms.
func settle(comp *compositor.Compositor) {
	last := comp.Stats()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		now := comp.Stats()
		same := true
		for i := range now {
			same = same && now[i].Frames == last[i].Frames
		}
		if same {
			return
		}
		last = now
	}
}

// viewer is a headless dreamview in process. Without the patch channel it
// is a plain WHEP player: every change comes to it as video.
type viewer struct {
	tile   int
	pic    *compose.Picture
	player *player.Player
	sess   *client.Session
}

func startViewer(t *testing.T, ctx context.Context, url string, tile int) *viewer {
	return startViewerLanes(t, ctx, url, tile, false)
}

// startViewerLanes starts a viewer; with patches set it opens the patch
// channel, as dreamview does.
func startViewerLanes(t *testing.T, ctx context.Context, url string, tile int, patches bool) *viewer {
	return startViewerWith(t, ctx, client.Config{URL: url, Tile: tile}, patches)
}

// startViewerWith starts a viewer with cfg, on the patch lane when patches
// is set, and stops it when the test ends.
func startViewerWith(t *testing.T, ctx context.Context, cfg client.Config, patches bool) *viewer {
	t.Helper()
	v := &viewer{tile: cfg.Tile}
	if cfg.Log == nil {
		cfg.Log = failureLog(t, fmt.Sprintf("viewer of tile %d", cfg.Tile))
	}
	var err error
	if v.pic, err = compose.New(compose.Config{Refresh: func() { v.sess.Refresh() }}); err != nil {
		t.Fatal(err)
	}
	if patches {
		cfg.OnPatch = v.pic.Message
	}
	if v.sess, err = client.Dial(ctx, cfg); err != nil {
		t.Fatalf("viewer of tile %d: %v", cfg.Tile, err)
	}
	v.player = player.New(v.pic)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := v.sess.Frames(ctx, v.player.Handle); err != nil && ctx.Err() == nil {
			t.Errorf("viewer of tile %d: %v", cfg.Tile, err)
		}
	}()
	t.Cleanup(func() {
		v.sess.Close()
		<-done
		v.player.Close()
		v.pic.Close()
	})
	return v
}

func (v *viewer) frames() uint64 { return v.player.Stats().Frames }

func (v *viewer) picture(t *testing.T) *image.RGBA {
	t.Helper()
	pic, _, ok := v.pic.Snapshot()
	if !ok {
		t.Fatalf("viewer of tile %d has no picture", v.tile)
	}
	return pic
}

// waitFor polls the viewer's picture until ok(picture) or 10 s pass.
func (v *viewer) waitFor(t *testing.T, what string, ok func(*image.RGBA) bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if pic, _, have := v.pic.Snapshot(); have && ok(pic) {
			return
		}
	}
	t.Fatalf("viewer of tile %d: timed out waiting until %s (frames decoded: %d, picture: %+v)", v.tile, what, v.frames(), v.pic.Stats())
}

// region is r of img, as a picture of its own at (0, 0).
func region(img *image.RGBA, r image.Rectangle) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		copy(out.Pix[y*out.Stride:y*out.Stride+4*r.Dx()], img.Pix[img.PixOffset(r.Min.X, r.Min.Y+y):])
	}
	return out
}

// psnr compares two pictures of one size, in RGB (99 when equal).
func psnr(a, b *image.RGBA) float64 {
	if a.Rect.Size() != b.Rect.Size() {
		return 0
	}
	var se float64
	n := 0
	for y := 0; y < a.Rect.Dy(); y++ {
		ra, rb := a.Pix[y*a.Stride:], b.Pix[y*b.Stride:]
		for x := 0; x < 4*a.Rect.Dx(); x += 4 {
			for c := range 3 {
				d := float64(ra[x+c]) - float64(rb[x+c])
				se += d * d
			}
			n += 3
		}
	}
	if se == 0 {
		return 99
	}
	return 10 * math.Log10(255*255*float64(n)/se)
}

// meanRGB is the average colour of r in pic.
func meanRGB(img *image.RGBA, r image.Rectangle) color.RGBA {
	var sr, sg, sb, n int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := img.RGBAAt(x, y)
			sr, sg, sb, n = sr+int(c.R), sg+int(c.G), sb+int(c.B), n+1
		}
	}
	if n == 0 {
		return color.RGBA{}
	}
	return color.RGBA{uint8(sr / n), uint8(sg / n), uint8(sb / n), 255}
}

func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= tol && int(y)-int(x) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

// failureLog is a logger whose lines the test prints, under name, only if
// it fails.
func failureLog(t *testing.T, name string) *slog.Logger {
	var mu sync.Mutex
	var buf bytes.Buffer
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if t.Failed() && buf.Len() > 0 {
			t.Logf("%s logged:\n%s", name, buf.String())
		}
	})
	return slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil))
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

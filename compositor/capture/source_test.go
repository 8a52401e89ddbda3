package capture_test

import (
	"errors"
	"image"
	"image/color"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"dream/compositor/capture"
	"dream/internal/testpattern"
	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

const screenW, screenH = 640, 360

// setup starts Xvfb with the 3-tile test pattern and opens a Source on it.
func setup(t *testing.T) (*xvfb.Server, *testpattern.Pattern, *capture.Source) {
	t.Helper()
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: screenW, Height: screenH})
	p, err := testpattern.Start(srv.Display(), 3)
	if err != nil {
		t.Fatalf("start test pattern: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	src, err := capture.Open(capture.Config{Display: srv.Display()})
	if err != nil {
		t.Fatalf("Open(%s): %v", srv.Display(), err)
	}
	t.Cleanup(func() { src.Close() })
	return srv, p, src
}

// getImage reads r with a plain GetImage on a connection of its own.
func getImage(t *testing.T, display string, r image.Rectangle) []byte {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatalf("connect to %s: %v", display, err)
	}
	defer conn.Close()
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	reply, err := xproto.GetImage(conn, xproto.ImageFormatZPixmap, xproto.Drawable(root),
		int16(r.Min.X), int16(r.Min.Y), uint16(r.Dx()), uint16(r.Dy()), ^uint32(0)).Reply()
	if err != nil {
		t.Fatalf("GetImage %v: %v", r, err)
	}
	return reply.Data
}

func TestGrabPart(t *testing.T) {
	srv, _, src := setup(t)
	tile := image.Rect(213, 0, 427, 360)
	g, err := src.NewGrabber(tile)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	part := image.Rect(300, 40, 333, 71)
	pix, stride, err := g.GrabPart(part)
	if err != nil {
		t.Fatalf("GrabPart(%v): %v", part, err)
	}
	if stride != part.Dx()*4 || len(pix) != stride*part.Dy() {
		t.Fatalf("GrabPart(%v): stride %d, %d bytes; want %d, %d", part, stride, len(pix), part.Dx()*4, part.Dx()*4*part.Dy())
	}
	want := getImage(t, srv.Display(), part)
	for i := 0; i < len(pix); i += 4 {
		if pix[i] != want[i] || pix[i+1] != want[i+1] || pix[i+2] != want[i+2] {
			t.Fatalf("GrabPart(%v): byte %d = %v; GetImage says %v", part, i, pix[i:i+3], want[i:i+3])
		}
	}
	for _, bad := range []image.Rectangle{image.Rect(200, 0, 220, 10), {}, image.Rect(400, 300, 430, 361)} {
		if _, _, err := g.GrabPart(bad); err == nil {
			t.Errorf("GrabPart(%v) outside %v succeeded; want an error", bad, tile)
		}
	}
}

func TestOpenReportsSize(t *testing.T) {
	_, _, src := setup(t)
	if w, h := src.Size(); w != screenW || h != screenH {
		t.Errorf("Size() = %dx%d; want %dx%d", w, h, screenW, screenH)
	}
}

func TestGrabMatchesScreen(t *testing.T) {
	srv, p, src := setup(t)
	red := image.Rect(200, 100, 260, 140)
	if err := p.Fill(red, color.RGBA{255, 0, 0, 255}); err != nil {
		t.Fatalf("Fill: %v", err)
	}
	for _, r := range []image.Rectangle{
		image.Rect(0, 0, screenW, screenH),
		image.Rect(150, 50, 450, 300), // crosses two tiles and the red block
		image.Rect(213, 0, 427, 360),  // the middle tile
	} {
		g, err := src.NewGrabber(r)
		if err != nil {
			t.Fatalf("NewGrabber(%v): %v", r, err)
		}
		pix, stride, err := g.Grab()
		if err != nil {
			t.Fatalf("Grab %v: %v", r, err)
		}
		if stride != r.Dx()*4 || len(pix) != stride*r.Dy() {
			t.Fatalf("Grab %v: stride %d, %d bytes; want %d, %d", r, stride, len(pix), r.Dx()*4, r.Dx()*4*r.Dy())
		}
		want := getImage(t, srv.Display(), r)
		for i := 0; i < len(pix); i += 4 {
			if pix[i] != want[i] || pix[i+1] != want[i+1] || pix[i+2] != want[i+2] {
				x, y := r.Min.X+i%stride/4, r.Min.Y+i/stride
				t.Fatalf("Grab %v: pixel (%d,%d) = BGR %v; GetImage says %v", r, x, y, pix[i:i+3], want[i:i+3])
			}
		}
		if pt := image.Pt(230, 120); pt.In(r) {
			i := (pt.Y-r.Min.Y)*stride + (pt.X-r.Min.X)*4
			if got := pix[i : i+3]; got[0] != 0 || got[1] != 0 || got[2] != 255 {
				t.Errorf("Grab %v: filled red pixel %v = BGR %v; want [0 0 255]", r, pt, got)
			}
		}
		if err := g.Close(); err != nil {
			t.Errorf("Grabber.Close: %v", err)
		}
		if _, _, err := g.Grab(); !errors.Is(err, capture.ErrClosed) {
			t.Errorf("Grab after Close = %v; want ErrClosed", err)
		}
	}
}

func TestNewGrabberRejectsBadRectangles(t *testing.T) {
	_, _, src := setup(t)
	for _, r := range []image.Rectangle{
		{},
		image.Rect(-1, 0, 10, 10),
		image.Rect(0, 0, screenW+1, 10),
		image.Rect(600, 300, 700, 400),
	} {
		if g, err := src.NewGrabber(r); err == nil {
			g.Close()
			t.Errorf("NewGrabber(%v) = nil error; want one", r)
		}
	}
}

func TestConcurrentGrabbers(t *testing.T) {
	_, p, src := setup(t)
	var wg sync.WaitGroup
	for _, r := range []image.Rectangle{image.Rect(0, 0, 320, 360), image.Rect(320, 0, 640, 360)} {
		g, err := src.NewGrabber(r)
		if err != nil {
			t.Fatalf("NewGrabber(%v): %v", r, err)
		}
		defer g.Close()
		wg.Go(func() {
			for range 50 {
				if _, _, err := g.Grab(); err != nil {
					t.Errorf("Grab %v: %v", r, err)
					return
				}
			}
		})
	}
	for i := range 20 {
		if err := p.Fill(image.Rect(i*30, 10, i*30+20, 30), color.RGBA{0, 255, 0, 255}); err != nil {
			t.Fatalf("Fill: %v", err)
		}
	}
	wg.Wait()
}

func TestDamageCoversDrawing(t *testing.T) {
	_, p, src := setup(t)
	dirty, err := src.Dirty(nil) // clear whatever came before
	if err != nil {
		t.Fatalf("first Dirty: %v", err)
	}
	for _, r := range []image.Rectangle{
		image.Rect(10, 10, 50, 50),
		image.Rect(200, 100, 450, 120), // across a tile edge
		image.Rect(600, 340, 640, 360), // bottom-right corner
	} {
		if err := p.Fill(r, color.RGBA{255, 255, 0, 255}); err != nil {
			t.Fatalf("Fill: %v", err)
		}
		select {
		case <-src.Damaged():
		case <-time.After(2 * time.Second):
			t.Fatalf("after Fill(%v), Damaged() did not fire within 2 s", r)
		}
		dirty, err = src.Dirty(dirty)
		if err != nil {
			t.Fatalf("Dirty: %v", err)
		}
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if !covered(image.Pt(x, y), dirty) {
					t.Fatalf("after Fill(%v), Dirty() = %v misses (%d,%d)", r, dirty, x, y)
				}
			}
		}
		var area int
		for _, d := range dirty {
			area += d.Dx() * d.Dy()
		}
		if area > 4*r.Dx()*r.Dy() {
			t.Errorf("after Fill(%v), Dirty() = %v covers %d pixels; want about %d", r, dirty, area, r.Dx()*r.Dy())
		}
	}
}

func covered(p image.Point, rs []image.Rectangle) bool {
	for _, r := range rs {
		if p.In(r) {
			return true
		}
	}
	return false
}

func TestIdleDisplayHasNoDamage(t *testing.T) {
	_, _, src := setup(t)
	if _, err := src.Dirty(nil); err != nil {
		t.Fatalf("first Dirty: %v", err)
	}
	select {
	case <-src.Damaged():
		t.Fatal("Damaged() fired on an idle display")
	case <-time.After(500 * time.Millisecond):
	}
	dirty, err := src.Dirty(nil)
	if err != nil {
		t.Fatalf("Dirty: %v", err)
	}
	if len(dirty) != 0 {
		t.Errorf("Dirty() on an idle display = %v; want none", dirty)
	}
}

func TestOpenMissingDisplay(t *testing.T) {
	_, err := capture.Open(capture.Config{Display: ":59999"})
	if err == nil {
		t.Fatal("Open(:59999) = nil error; want one")
	}
	for _, want := range []string{"cannot open display :59999", "no X server there", "drop --display"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Open(:59999) = %q; want it to contain %q", err, want)
		}
	}
}

func TestDoneWhenServerDies(t *testing.T) {
	srv, _, src := setup(t)
	g, err := src.NewGrabber(image.Rect(0, 0, 64, 64))
	if err != nil {
		t.Fatalf("NewGrabber: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("stop Xvfb: %v", err)
	}
	select {
	case <-src.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done() not closed 5 s after the X server exited")
	}
	if err := src.Err(); !errors.Is(err, capture.ErrDisplayLost) || !strings.Contains(err.Error(), srv.Display()) {
		t.Errorf("Err() = %v; want ErrDisplayLost naming %s", err, srv.Display())
	}
	if _, err := src.Dirty(nil); !errors.Is(err, capture.ErrDisplayLost) {
		t.Errorf("Dirty after the server died = %v; want ErrDisplayLost", err)
	}
	if _, _, err := g.Grab(); err == nil {
		t.Error("Grab after the server died = nil error; want one")
	}
	if err := src.Close(); err != nil {
		t.Errorf("Close after the server died: %v", err)
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 200})
	before := runtime.NumGoroutine()
	src, err := capture.Open(capture.Config{Display: srv.Display()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := src.NewGrabber(image.Rect(0, 0, 32, 32)); err != nil { // left for Close
		t.Fatalf("NewGrabber: %v", err)
	}
	src.Close()
	select {
	case <-src.Done():
	default:
		t.Error("Done() not closed after Close")
	}
	if err := src.Err(); !errors.Is(err, capture.ErrClosed) {
		t.Errorf("Err() after Close = %v; want ErrClosed", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close; %d before Open:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

func TestFirstDirtyIsWholeScreen(t *testing.T) {
	_, _, src := setup(t)
	select {
	case <-src.Damaged():
	case <-time.After(2 * time.Second):
		t.Fatal("Damaged() did not fire after Open")
	}
	dirty, err := src.Dirty(nil)
	if err != nil {
		t.Fatalf("Dirty: %v", err)
	}
	if want := []image.Rectangle{image.Rect(0, 0, screenW, screenH)}; len(dirty) != 1 || dirty[0] != want[0] {
		t.Errorf("first Dirty() = %v; want %v", dirty, want)
	}
}

package bench

import (
	"image"
	"testing"

	"dream/compositor/capture"
	"dream/internal/testpattern"
	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

// BenchmarkCaptureTile grabs one 1920x1080 tile over MIT-SHM.
func BenchmarkCaptureTile(b *testing.B) { benchmarkGrab(b, 1920, 1080, 1, image.Rectangle{}) }

// BenchmarkCaptureSpan grabs a 5760x1080 display (three tiles) in one piece.
func BenchmarkCaptureSpan(b *testing.B) { benchmarkGrab(b, 5760, 1080, 3, image.Rectangle{}) }

// BenchmarkCaptureTyped grabs the part of a 1920x1080 tile that one typed
// character damages (a 16x24 cell widened to even corners), as a tile does when
// only that part changed.
func BenchmarkCaptureTyped(b *testing.B) {
	benchmarkGrab(b, 1920, 1080, 1, image.Rect(640, 400, 656, 424))
}

// benchmarkGrab grabs part of a w×h screen, or all of it when part is empty.
func benchmarkGrab(b *testing.B, w, h, tiles int, part image.Rectangle) {
	srv := xvfbtest.StartForTest(b, xvfb.Config{Width: w, Height: h})
	p, err := testpattern.Start(srv.Display(), tiles)
	if err != nil {
		b.Fatalf("start test pattern: %v", err)
	}
	defer p.Close()
	src, err := capture.Open(capture.Config{Display: srv.Display()})
	if err != nil {
		b.Fatalf("open capture: %v", err)
	}
	defer src.Close()
	g, err := src.NewGrabber(image.Rect(0, 0, w, h))
	if err != nil {
		b.Fatalf("new grabber: %v", err)
	}
	defer g.Close()

	if part.Empty() {
		part = g.Rect()
	}
	b.SetBytes(int64(part.Dx() * part.Dy() * 4))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := g.GrabPart(part); err != nil {
			b.Fatalf("Grab: %v", err)
		}
	}
}

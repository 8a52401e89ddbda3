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
func BenchmarkCaptureTile(b *testing.B) { benchmarkGrab(b, 1920, 1080, 1) }

// BenchmarkCaptureSpan grabs a 5760x1080 display (three tiles) in one piece.
func BenchmarkCaptureSpan(b *testing.B) { benchmarkGrab(b, 5760, 1080, 3) }

func benchmarkGrab(b *testing.B, w, h, tiles int) {
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

	b.SetBytes(int64(w * h * 4))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := g.Grab(); err != nil {
			b.Fatalf("Grab: %v", err)
		}
	}
}

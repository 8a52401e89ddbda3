package testpattern

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

func TestStartDrawsDistinctTiles(t *testing.T) {
	const w, h, tiles = 960, 540, 3
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: w, Height: h})
	p, err := Start(srv.Display(), tiles)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer p.Close()

	got := xvfbtest.Screenshot(t, srv.Display())
	want := render(w, h, tiles)
	if d := countDiff(got, want, got.Rect); d != 0 {
		t.Errorf("screen differs from the rendered pattern in %d pixels", d)
	}
	for a := 1; a <= tiles; a++ {
		for b := a + 1; b <= tiles; b++ {
			ra, rb := p.Tile(a), p.Tile(b)
			same := 0
			for y := 0; y < h; y++ {
				for x := 0; x < min(ra.Dx(), rb.Dx()); x++ {
					if got.RGBAAt(ra.Min.X+x, y) == got.RGBAAt(rb.Min.X+x, y) {
						same++
					}
				}
			}
			if frac := float64(same) / float64(ra.Dx()*h); frac > 0.25 {
				t.Errorf("tiles %d and %d share %.0f%% of their pixels; want under 25%%", a, b, frac*100)
			}
		}
	}
}

func TestFillChangesOnlyItsRegion(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 360})
	p, err := Start(srv.Display(), 3)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer p.Close()
	before := xvfbtest.Screenshot(t, srv.Display())

	r := image.Rect(150, 40, 390, 170) // straddles tiles 1 and 2
	red := color.RGBA{255, 0, 0, 255}
	if err := p.Fill(r, red); err != nil {
		t.Fatalf("Fill: %v", err)
	}
	after := xvfbtest.Screenshot(t, srv.Display())
	for y := 0; y < 360; y++ {
		for x := 0; x < 640; x++ {
			pt := image.Pt(x, y)
			want := before.RGBAAt(x, y)
			if pt.In(r) {
				want = red
			}
			if got := after.RGBAAt(x, y); got != want {
				t.Fatalf("after Fill(%v, red), pixel %v = %v; want %v", r, pt, got, want)
			}
		}
	}

	if err := p.Restore(r); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if d := countDiff(xvfbtest.Screenshot(t, srv.Display()), before, before.Rect); d != 0 {
		t.Errorf("after Restore(%v), %d pixels differ from the pattern", r, d)
	}
}

func TestStartErrors(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 200})
	tests := []struct {
		display string
		tiles   int
		want    string
	}{
		{srv.Display(), 0, "at least 1"},
		{srv.Display(), 400, "do not fit"},
		{":59999", 1, ":59999"},
	}
	for _, tt := range tests {
		p, err := Start(tt.display, tt.tiles)
		if err == nil {
			p.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Start(%q, %d) = %v; want an error containing %q", tt.display, tt.tiles, err, tt.want)
		}
	}
}

func countDiff(a, b *image.RGBA, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.RGBAAt(x, y) != b.RGBAAt(x, y) {
				n++
			}
		}
	}
	return n
}

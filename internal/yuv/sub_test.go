package yuv

import (
	"image"
	"testing"
)

// Converting a part into a Sub view gives the same samples as converting the
// whole picture, and leaves the rest untouched.
func TestSubConvert(t *testing.T) {
	const w, h = 64, 48
	bgrx := make([]byte, w*h*4)
	for i := range bgrx {
		bgrx[i] = byte(i*7 + i/256)
	}
	whole := NewI420(w, h)
	FromBGRX(whole, bgrx, w*4)

	part := NewI420(w, h)
	r := image.Rect(10, 6, 30, 20)
	view := part.Sub(r)
	FromBGRX(&view, bgrx[(r.Min.Y*w+r.Min.X)*4:], w*4)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			got, want := part.Y[y*w+x], whole.Y[y*w+x]
			if image.Pt(x, y).In(r) && got != want {
				t.Fatalf("Y(%d,%d) = %d inside the part; want %d", x, y, got, want)
			}
			if !image.Pt(x, y).In(r) && got != 0 {
				t.Fatalf("Y(%d,%d) = %d outside the part; want it untouched (0)", x, y, got)
			}
		}
	}
	cx, cy := 12/2, 8/2
	if got, want := part.U[cy*part.CStride+cx], whole.U[cy*whole.CStride+cx]; got != want {
		t.Errorf("U(%d,%d) = %d; want %d", cx, cy, got, want)
	}
}

func TestSubPanicsOnBadParts(t *testing.T) {
	p := NewI420(16, 16)
	for _, r := range []image.Rectangle{image.Rect(1, 0, 8, 8), image.Rect(0, 3, 8, 8), image.Rect(8, 8, 18, 16), {}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Sub(%v) of 16x16 did not panic", r)
				}
			}()
			p.Sub(r)
		}()
	}
}

func TestEven(t *testing.T) {
	for _, tt := range []struct{ in, want image.Rectangle }{
		{image.Rect(1, 3, 5, 8), image.Rect(0, 2, 6, 8)},
		{image.Rect(2, 2, 4, 4), image.Rect(2, 2, 4, 4)},
	} {
		if got := Even(tt.in); got != tt.want {
			t.Errorf("Even(%v) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

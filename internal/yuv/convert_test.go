//go:build cgo

package yuv_test

import (
	"image"
	"testing"

	"dream/internal/yuv"
)

// TestRoundTrip converts BGRX → I420 → RGBA and checks that flat colours come
// back within the error of limited-range 4:2:0 and that alpha is opaque.
func TestRoundTrip(t *testing.T) {
	const w, h = 34, 18 // even, but not a multiple of 16
	colours := [][3]byte{{0, 0, 0}, {255, 255, 255}, {200, 30, 40}, {20, 180, 60}, {30, 60, 220}, {128, 128, 128}}
	src := make([]byte, 4*w*h)
	// 2×2-aligned blocks of flat colour, so chroma subsampling loses nothing.
	at := func(x, y int) [3]byte { return colours[(x/2+y/2)%len(colours)] }
	for y := range h {
		for x := range w {
			c := at(x, y)
			i := 4 * (y*w + x)
			src[i], src[i+1], src[i+2], src[i+3] = c[2], c[1], c[0], 0
		}
	}
	pic := yuv.NewI420(w, h)
	yuv.FromBGRX(pic, src, 4*w)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	pic.ToRGBA(dst)
	const tol = 6
	for y := range h {
		for x := range w {
			want := at(x, y)
			i := dst.PixOffset(x, y)
			got := dst.Pix[i : i+4]
			for c := range 3 {
				if d := int(got[c]) - int(want[c]); d < -tol || d > tol {
					t.Fatalf("pixel (%d,%d) = %v; want %v within %d", x, y, got[:3], want, tol)
				}
			}
			if got[3] != 255 {
				t.Fatalf("pixel (%d,%d) alpha = %d; want 255", x, y, got[3])
			}
		}
	}
}

func TestFromBGRXShortSource(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("FromBGRX with a short source did not panic")
		}
	}()
	yuv.FromBGRX(yuv.NewI420(16, 16), make([]byte, 100), 64)
}

// TestToBGRA converts one part of a picture in place and leaves the rest.
func TestToBGRA(t *testing.T) {
	const w, h = 20, 10
	src := make([]byte, 4*w*h)
	for i := 0; i < len(src); i += 4 {
		src[i], src[i+1], src[i+2] = 200, 100, 50 // B, G, R
	}
	pic := yuv.NewI420(w, h)
	yuv.FromBGRX(pic, src, 4*w)
	dst := make([]byte, 4*w*h)
	r := image.Rect(4, 2, 10, 8)
	pic.ToBGRA(dst, 4*w, r)
	for y := range h {
		for x := range w {
			p := dst[4*(y*w+x):]
			in := image.Pt(x, y).In(r)
			if !in {
				if p[0]|p[1]|p[2]|p[3] != 0 {
					t.Fatalf("(%d,%d) outside %v = %v; want untouched", x, y, r, p[:4])
				}
				continue
			}
			for c, want := range []int{200, 100, 50, 255} {
				if d := int(p[c]) - want; d > 3 || d < -3 {
					t.Fatalf("(%d,%d) = %v; want about B,G,R,A 200,100,50,255", x, y, p[:4])
				}
			}
		}
	}
}

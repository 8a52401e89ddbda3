package yuv

import (
	"fmt"
	"math"
)

// PSNR returns the peak signal-to-noise ratio between a and b in dB, over all
// luma and chroma samples together; +Inf when they are identical. It panics if
// the pictures differ in size.
func PSNR(a, b *I420) float64 {
	if a.Width != b.Width || a.Height != b.Height {
		panic(fmt.Sprintf("yuv: PSNR of a %dx%d and a %dx%d picture", a.Width, a.Height, b.Width, b.Height))
	}
	w, h := a.Width, a.Height
	cw, ch := (w+1)/2, (h+1)/2
	sse := planeSSE(a.Y, a.YStride, b.Y, b.YStride, w, h) +
		planeSSE(a.U, a.CStride, b.U, b.CStride, cw, ch) +
		planeSSE(a.V, a.CStride, b.V, b.CStride, cw, ch)
	n := float64(w*h + 2*cw*ch)
	if sse == 0 || n == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255*n/float64(sse))
}

func planeSSE(a []byte, as int, b []byte, bs int, w, h int) uint64 {
	var sum uint64
	for y := range h {
		ra, rb := a[y*as:y*as+w], b[y*bs:y*bs+w]
		for x, va := range ra {
			d := int(va) - int(rb[x])
			sum += uint64(d * d)
		}
	}
	return sum
}

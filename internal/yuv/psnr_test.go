package yuv_test

import (
	"math"
	"testing"

	"dream/internal/yuv"
)

func TestPSNR(t *testing.T) {
	a, b := yuv.NewI420(16, 8), yuv.NewI420(16, 8)
	for i := range a.Y {
		a.Y[i], b.Y[i] = byte(i), byte(i)
	}
	if got := yuv.PSNR(a, b); !math.IsInf(got, 1) {
		t.Errorf("PSNR(identical) = %v; want +Inf", got)
	}
	// Every sample off by one: MSE 1, PSNR = 20·log10(255) ≈ 48.13 dB.
	for _, p := range [][]byte{b.Y, b.U, b.V} {
		for i := range p {
			p[i]++
		}
	}
	if got, want := yuv.PSNR(a, b), 20*math.Log10(255); math.Abs(got-want) > 1e-9 {
		t.Errorf("PSNR(off by one) = %v; want %v", got, want)
	}
}

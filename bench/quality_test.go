//go:build cgo

package bench

import (
	"testing"

	"dream/compositor/encode"
	"dream/internal/yuv"
	"dream/internal/yuv/yuvtest"
	"dream/viewer/decode"
)

// TestQuality1080p reports the PSNR each codec reaches at 1920x1080 with its
// default bitrate: for the first frame, and after ten typed characters.
func TestQuality1080p(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes 1080p frames")
	}
	const minPSNR = 35
	for _, codec := range []string{encode.CodecH264, encode.CodecVP8} {
		t.Run(codec, func(t *testing.T) {
			enc := newEncoder(t, codec)
			dec, err := decode.New(codec)
			if err != nil {
				t.Fatal(err)
			}
			defer dec.Close()
			desk := yuvtest.NewDesktop(width, height)
			for i := range 11 {
				if i > 0 {
					desk.Type(i)
				}
				src := desk.I420()
				f, err := enc.Encode(src, false)
				if err != nil {
					t.Fatal(err)
				}
				got, err := dec.Decode(f.Data)
				if err != nil || got == nil {
					t.Fatalf("frame %d: picture %v, error %v", i, got != nil, err)
				}
				if i == 0 || i == 10 {
					p := yuv.PSNR(src, got)
					t.Logf("frame %2d: %6d bytes, key %-5v PSNR %.1f dB", i, len(f.Data), f.Key, p)
					if p < minPSNR {
						t.Errorf("frame %d: PSNR = %.1f dB; want ≥ %d", i, p, minPSNR)
					}
				}
			}
		})
	}
}

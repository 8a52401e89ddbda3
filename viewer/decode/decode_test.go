//go:build cgo

package decode_test

import (
	"errors"
	"testing"

	"dream/compositor/encode"
	"dream/internal/yuv"
	"dream/internal/yuv/yuvtest"
	"dream/viewer/decode"
)

var codecs = []string{decode.CodecH264, decode.CodecVP8}

// minPSNR is the quality a viewer must see on desktop content.
const minPSNR = 35

func TestRoundTrip(t *testing.T) {
	for _, codec := range codecs {
		t.Run(codec, func(t *testing.T) {
			const w, h = 640, 360
			enc, err := encode.New(encode.Config{Codec: codec, Width: w, Height: h})
			if err != nil {
				t.Fatal(err)
			}
			defer enc.Close()
			dec, err := decode.New(codec)
			if err != nil {
				t.Fatal(err)
			}
			defer dec.Close()

			desk := yuvtest.NewDesktop(w, h)
			for i := range 3 {
				if i > 0 {
					desk.Type(i)
				}
				src := desk.I420()
				f, err := enc.Encode(src, false)
				if err != nil {
					t.Fatal(err)
				}
				got, err := dec.Decode(f.Data)
				if err != nil {
					t.Fatalf("frame %d (%d bytes, key %v): %v", i, len(f.Data), f.Key, err)
				}
				if got == nil {
					t.Fatalf("frame %d: Decode gave no picture; want one per access unit", i)
				}
				if got.Width != w || got.Height != h {
					t.Fatalf("frame %d: decoded %dx%d; want %dx%d", i, got.Width, got.Height, w, h)
				}
				if p := yuv.PSNR(src, got); p < minPSNR {
					t.Errorf("frame %d: PSNR = %.1f dB; want ≥ %d", i, p, minPSNR)
				} else {
					t.Logf("frame %d: %d bytes, key %v, PSNR %.1f dB", i, len(f.Data), f.Key, p)
				}
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	if _, err := decode.New("theora"); !errors.Is(err, decode.ErrUnknownCodec) {
		t.Errorf(`New("theora") = %v; want ErrUnknownCodec`, err)
	}
	for _, codec := range codecs {
		dec, err := decode.New(codec)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dec.Decode(nil); !errors.Is(err, decode.ErrCorrupt) {
			t.Errorf("%s: Decode(nil) = %v; want ErrCorrupt", codec, err)
		}
		dec.Close()
		if _, err := dec.Decode([]byte{1}); !errors.Is(err, decode.ErrClosed) {
			t.Errorf("%s: Decode after Close = %v; want ErrClosed", codec, err)
		}
	}
}

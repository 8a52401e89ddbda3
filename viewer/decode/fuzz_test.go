//go:build cgo

package decode_test

import (
	"testing"

	"dream/compositor/encode"
	"dream/internal/yuv/yuvtest"
	"dream/viewer/decode"
)

// stream encodes a keyframe and a typed frame of a small desktop.
func stream(f *testing.F, codec string) (key, next []byte) {
	const w, h = 96, 64
	enc, err := encode.New(encode.Config{Codec: codec, Width: w, Height: h})
	if err != nil {
		f.Fatal(err)
	}
	defer enc.Close()
	desk := yuvtest.NewDesktop(w, h)
	fr, err := enc.Encode(desk.I420(), true)
	if err != nil {
		f.Fatal(err)
	}
	key = append([]byte(nil), fr.Data...)
	desk.Type(1)
	fr, err = enc.Encode(desk.I420(), false)
	if err != nil {
		f.Fatal(err)
	}
	return key, append([]byte(nil), fr.Data...)
}

// fuzzDecode feeds arbitrary bytes after a valid keyframe: no crash, and a
// picture, when one comes, has a sane size.
func fuzzDecode(f *testing.F, codec string) {
	key, next := stream(f, codec)
	f.Add(next)
	f.Add(key)
	f.Add([]byte{0, 0, 0, 1, 0x65, 0xff, 0x00, 0x12})
	f.Add([]byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0xff, 0x3f, 0xff, 0x3f, 0, 0, 0})
	for i := 0; i < len(next); i += 7 {
		c := append([]byte(nil), next...)
		c[i] ^= 0x5a
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec, err := decode.New(codec)
		if err != nil {
			t.Fatal(err)
		}
		defer dec.Close()
		if _, err := dec.Decode(key); err != nil {
			t.Fatalf("keyframe: %v", err)
		}
		for range 2 { // twice: the state after bad input must hold too
			pic, err := dec.Decode(data)
			if err == nil && pic != nil {
				if err := pic.Validate(); err != nil {
					t.Fatalf("decoded picture: %v", err)
				}
				_ = pic.Y[len(pic.Y)-1] + pic.U[len(pic.U)-1] + pic.V[len(pic.V)-1]
			}
		}
		if _, err := dec.Decode(key); err != nil {
			t.Errorf("keyframe after fuzz input: %v", err)
		}
	})
}

func FuzzDecodeVP8(f *testing.F)  { fuzzDecode(f, decode.CodecVP8) }
func FuzzDecodeH264(f *testing.F) { fuzzDecode(f, decode.CodecH264) }

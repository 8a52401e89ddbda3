//go:build cgo

package bench

import (
	"image"
	"testing"

	"dream/compositor/encode"
	"dream/internal/yuv"
	"dream/internal/yuv/yuvtest"
	"dream/viewer/decode"
)

func BenchmarkBGRXToI420(b *testing.B) {
	desk := yuvtest.NewDesktop(width, height)
	pic := yuv.NewI420(width, height)
	b.SetBytes(int64(len(desk.Pix)))
	for b.Loop() {
		yuv.FromBGRX(pic, desk.Pix, desk.Stride)
	}
	reportMs(b)
}

func BenchmarkI420ToRGBA(b *testing.B) {
	pic := yuvtest.NewDesktop(width, height).I420()
	dst := newRGBA()
	for b.Loop() {
		pic.ToRGBA(dst)
	}
	reportMs(b)
}

func BenchmarkEncodeH264(b *testing.B) { benchEncode(b, encode.CodecH264) }
func BenchmarkEncodeVP8(b *testing.B)  { benchEncode(b, encode.CodecVP8) }
func BenchmarkDecodeH264(b *testing.B) { benchDecode(b, encode.CodecH264) }
func BenchmarkDecodeVP8(b *testing.B)  { benchDecode(b, encode.CodecVP8) }

// benchEncode measures a keyframe of the whole desktop, and inter frames
// after typing one character each.
func benchEncode(b *testing.B, codec string) {
	for _, key := range []bool{false, true} {
		name := map[bool]string{false: "typing", true: "keyframe"}[key]
		b.Run(name, func(b *testing.B) {
			enc := newEncoder(b, codec)
			desk := yuvtest.NewDesktop(width, height)
			pic := desk.I420()
			if _, err := enc.Encode(pic, true); err != nil {
				b.Fatal(err)
			}
			var bytes, n int
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				desk.Type(i)
				yuv.FromBGRX(pic, desk.Pix, desk.Stride)
				b.StartTimer()
				f, err := enc.Encode(pic, key)
				if err != nil {
					b.Fatal(err)
				}
				bytes += len(f.Data)
				n++
			}
			reportMs(b)
			b.ReportMetric(float64(bytes)/float64(n), "B/frame")
		})
	}
}

// benchDecode measures decoding the streams benchEncode produces.
func benchDecode(b *testing.B, codec string) {
	for _, key := range []bool{false, true} {
		name := map[bool]string{false: "typing", true: "keyframe"}[key]
		b.Run(name, func(b *testing.B) {
			enc := newEncoder(b, codec)
			dec, err := decode.New(codec)
			if err != nil {
				b.Fatal(err)
			}
			defer dec.Close()
			desk := yuvtest.NewDesktop(width, height)
			pic := desk.I420()
			f, err := enc.Encode(pic, true)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := dec.Decode(f.Data); err != nil {
				b.Fatal(err)
			}
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				desk.Type(i)
				yuv.FromBGRX(pic, desk.Pix, desk.Stride)
				f, err := enc.Encode(pic, key)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if out, err := dec.Decode(f.Data); err != nil || out == nil {
					b.Fatalf("frame %d: picture %v, error %v", i, out != nil, err)
				}
			}
			reportMs(b)
		})
	}
}

func newEncoder(tb testing.TB, codec string) encode.Encoder {
	enc, err := encode.New(encode.Config{Codec: codec, Width: width, Height: height})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { enc.Close() })
	return enc
}

func newRGBA() *image.RGBA { return image.NewRGBA(image.Rect(0, 0, width, height)) }

func reportMs(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

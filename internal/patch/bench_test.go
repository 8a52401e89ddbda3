package patch

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/klauspost/compress/zstd"

	"dream/internal/patch/patchtest"
)

// block is the compositor's: a larger rectangle is coded as 256x256 blocks.
const block = 256

// codec is one way to code a sample: what the patch lane does, or one of the
// candidates it was chosen from.
type codec struct {
	name   string
	encode func(s patchtest.Sample) []byte
	decode func(s patchtest.Sample, data []byte, out []byte) error
}

var (
	zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true))
	zdec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
)

// blocks codes s as the compositor does: in blocks of at most 256x256, each
// message's data prefixed with its length and encoding.
func blocks(enc *Encoder, s patchtest.Sample, lossy bool) []byte {
	var out []byte
	for y := 0; y < s.H; y += block {
		for x := 0; x < s.W; x += block {
			w, h := min(block, s.W-x), min(block, s.H-y)
			at := len(out)
			out = append(out, 0, 0, 0, 0, 0)
			e, o, err := enc.Encode(out, s.Pix[4*(y*s.W+x):], 4*s.W, w, h, lossy)
			if err != nil {
				panic(err)
			}
			out = o
			n := len(out) - at - 5
			out[at], out[at+1], out[at+2], out[at+3], out[at+4] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n), e
		}
	}
	return out
}

func unblocks(dec *Decoder, s patchtest.Sample, data, out []byte) error {
	for y := 0; y < s.H; y += block {
		for x := 0; x < s.W; x += block {
			w, h := min(block, s.W-x), min(block, s.H-y)
			n := int(data[0])<<24 | int(data[1])<<16 | int(data[2])<<8 | int(data[3])
			if err := dec.Decode(data[4], data[5:5+n], w, h, out[4*(y*s.W+x):], 4*s.W); err != nil {
				return err
			}
			data = data[5+n:]
		}
	}
	return nil
}

func codecs(t testing.TB) []codec {
	enc, err := NewEncoder()
	if err != nil {
		t.Fatal(err)
	}
	dec, err := NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { enc.Close(); dec.Close() })
	return []codec{
		{"patch lane, exact", func(s patchtest.Sample) []byte { return blocks(enc, s, false) },
			func(s patchtest.Sample, d, out []byte) error { return unblocks(dec, s, d, out) }},
		{"patch lane, JPEG first", func(s patchtest.Sample) []byte { return blocks(enc, s, true) },
			func(s patchtest.Sample, d, out []byte) error { return unblocks(dec, s, d, out) }},
		{"QOI", func(s patchtest.Sample) []byte { return appendQOI(nil, s.Pix, 4*s.W, s.W, s.H) },
			func(s patchtest.Sample, d, out []byte) error { return decodeQOI(out, 4*s.W, s.W, s.H, d) }},
		{"QOI + zstd", func(s patchtest.Sample) []byte { return zenc.EncodeAll(appendQOI(nil, s.Pix, 4*s.W, s.W, s.H), nil) },
			func(s patchtest.Sample, d, out []byte) error {
				raw, err := zdec.DecodeAll(d, nil)
				if err != nil {
					return err
				}
				return decodeQOI(out, 4*s.W, s.W, s.H, raw)
			}},
		{"zstd of BGRX", func(s patchtest.Sample) []byte { return zenc.EncodeAll(s.Pix, nil) },
			func(s patchtest.Sample, d, out []byte) error { _, err := zdec.DecodeAll(d, out[:0]); return err }},
		{"PNG (Go, best speed)", func(s patchtest.Sample) []byte {
			img := image.NewRGBA(image.Rect(0, 0, s.W, s.H))
			for i := 0; i < len(s.Pix); i += 4 {
				img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = s.Pix[i+2], s.Pix[i+1], s.Pix[i], 255
			}
			var b bytes.Buffer
			(&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img)
			return b.Bytes()
		}, func(s patchtest.Sample, d, out []byte) error { _, err := png.Decode(bytes.NewReader(d)); return err }},
	}
}

// TestSamplesExact: the patch lane's exact coding of real screens decodes to
// them, byte for byte, as the compositor cuts them into blocks.
func TestSamplesExact(t *testing.T) {
	samples := patchtest.Samples(t)
	c := codecs(t)[0]
	for _, s := range samples {
		data := c.encode(s)
		out := make([]byte, len(s.Pix))
		if err := c.decode(s, data, out); err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		for i := 0; i < len(out); i += 4 {
			if out[i] != s.Pix[i] || out[i+1] != s.Pix[i+1] || out[i+2] != s.Pix[i+2] {
				t.Fatalf("%s: pixel %d = %v; want %v", s.Name, i/4, out[i:i+3], s.Pix[i:i+3])
			}
		}
		t.Logf("%s: %d bytes (%.1f%% of BGRX)", s.Name, len(data), 100*float64(len(data))/float64(len(s.Pix)))
	}
}

// BenchmarkCodecs codes each sample with the patch lane's coder and with the
// candidates it was chosen from: ms/op to encode and decode in Go, and the
// bytes. (WebP lossless has no Go encoder; the README gives cwebp's figures.)
func BenchmarkCodecs(b *testing.B) {
	samples := patchtest.Samples(b)
	for _, s := range samples {
		for _, c := range codecs(b) {
			data := c.encode(s)
			b.Run(s.Name+"/"+c.name+"/encode", func(b *testing.B) {
				for b.Loop() {
					c.encode(s)
				}
				b.ReportMetric(float64(len(data)), "bytes")
			})
			out := make([]byte, len(s.Pix)+64)
			b.Run(s.Name+"/"+c.name+"/decode", func(b *testing.B) {
				for b.Loop() {
					if err := c.decode(s, data, out); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(data)), "bytes")
			})
		}
	}
}

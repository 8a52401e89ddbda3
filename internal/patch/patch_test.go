package patch

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"golang.org/x/image/draw"

	"dream/proto"
)

// picture is w×h B,G,R,X pixels.
type picture struct {
	w, h int
	pix  []byte
}

func newPicture(w, h int, at func(x, y int) (r, g, b byte)) picture {
	p := picture{w, h, make([]byte, 4*w*h)}
	for y := range h {
		for x := range w {
			r, g, b := at(x, y)
			i := 4 * (y*w + x)
			p.pix[i], p.pix[i+1], p.pix[i+2] = b, g, r
		}
	}
	return p
}

// photo is the bench's photo, scaled to w×h.
func photo(t testing.TB, w, h int) picture {
	f, err := os.ReadFile("../../bench/testdata/photo.jpg")
	if err != nil {
		t.Fatal(err)
	}
	src, err := jpeg.Decode(bytes.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(img, img.Rect, src, src.Bounds(), draw.Src, nil)
	return newPicture(w, h, func(x, y int) (byte, byte, byte) {
		c := img.RGBAAt(x, y)
		return c.R, c.G, c.B
	})
}

func roundTrip(t *testing.T, p picture, lossy bool) (uint8, []byte, []byte) {
	t.Helper()
	e, err := NewEncoder()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	d, err := NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	enc, data, err := e.Encode([]byte("x"), p.pix, 4*p.w, p.w, p.h, lossy)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if data[0] != 'x' {
		t.Fatalf("Encode did not append to dst")
	}
	// Decode into the middle of a larger picture: nothing outside changes.
	const pad = 3
	stride := 4 * (p.w + 2*pad)
	out := bytes.Repeat([]byte{7}, stride*(p.h+2*pad))
	at := pad*stride + 4*pad
	if err := d.Decode(enc, data[1:], p.w, p.h, out[at:], stride); err != nil {
		t.Fatalf("Decode(encoding %d): %v", enc, err)
	}
	if out[0] != 7 || out[at-1] != 7 || out[at+4*p.w] != 7 || out[len(out)-1] != 7 {
		t.Errorf("Decode(encoding %d) wrote outside its rectangle", enc)
	}
	got := make([]byte, 0, 4*p.w*p.h)
	for y := range p.h {
		got = append(got, out[at+y*stride:at+y*stride+4*p.w]...)
	}
	return enc, data[1:], got
}

// exact checks that got (B,G,R,A) holds p's pixels with alpha 255.
func exact(t *testing.T, p picture, got []byte) {
	t.Helper()
	for i := 0; i < len(p.pix); i += 4 {
		if got[i] != p.pix[i] || got[i+1] != p.pix[i+1] || got[i+2] != p.pix[i+2] || got[i+3] != 255 {
			t.Fatalf("pixel %d = %v; want %v with alpha 255", i/4, got[i:i+4], p.pix[i:i+3])
		}
	}
}

func TestRoundTrip(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name  string
		p     picture
		lossy bool
		want  uint8
	}{
		{"solid", newPicture(300, 200, func(x, y int) (byte, byte, byte) { return 10, 200, 30 }), true, proto.EncodingSolid},
		{"solid larger than a patch", newPicture(1920, 1080, func(x, y int) (byte, byte, byte) { return 1, 2, 3 }), false, proto.EncodingSolid},
		// Small: whichever of Palette and QOI is smaller.
		{"two colours, small", newPicture(17, 9, func(x, y int) (byte, byte, byte) { return byte(x & 1 * 255), 0, 0 }), false, proto.EncodingQOI},
		{"256 colours, small", newPicture(256, 3, func(x, y int) (byte, byte, byte) { return byte(x), byte(x * 7), 0 }), true, proto.EncodingQOI},
		{"three colours", newPicture(200, 100, func(x, y int) (byte, byte, byte) { return byte((x*y)%3) * 100, 0, 9 }), false, proto.EncodingPalette},
		{"256 colours", newPicture(256, 30, func(x, y int) (byte, byte, byte) { return byte(x), byte(x * 7), 0 }), true, proto.EncodingPalette},
		{"257 colours", newPicture(257, 3, func(x, y int) (byte, byte, byte) { return byte(x), byte(x >> 8), 0 }), true, proto.EncodingQOI},
		{"noise", newPicture(64, 64, func(x, y int) (byte, byte, byte) {
			return byte(rnd.Uint32()), byte(rnd.Uint32()), byte(rnd.Uint32())
		}), false, proto.EncodingQOIRaw},
		{"gradient", newPicture(200, 100, func(x, y int) (byte, byte, byte) { return byte(x), byte(y), byte(x + y) }), false, proto.EncodingQOI},
		{"long runs", newPicture(500, 100, func(x, y int) (byte, byte, byte) { return byte(x / 100), 0, byte(y / 40) }), false, proto.EncodingPalette},
		{"photo, exact", photo(t, 320, 200), false, proto.EncodingQOIRaw},
		{"small photo, lossy allowed", photo(t, 100, 100), true, proto.EncodingQOIRaw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, _, got := roundTrip(t, tt.p, tt.lossy)
			if enc != tt.want {
				t.Errorf("encoding = %d; want %d", enc, tt.want)
			}
			exact(t, tt.p, got)
		})
	}
}

func TestJPEGFirst(t *testing.T) {
	p := photo(t, 320, 200)
	enc, data, got := roundTrip(t, p, true)
	if enc != proto.EncodingJPEG {
		t.Fatalf("a 320x200 photo with lossy allowed went as encoding %d; want JPEG", enc)
	}
	_, exactData, _ := roundTrip(t, p, false)
	if len(data)*3 > len(exactData) {
		t.Errorf("JPEG of %d bytes against %d exact: want it at most a third", len(data), len(exactData))
	}
	var se float64
	for i := 0; i < len(p.pix); i += 4 {
		for c := range 3 {
			d := float64(got[i+c]) - float64(p.pix[i+c])
			se += d * d
		}
	}
	if psnr := psnr(se / float64(3*p.w*p.h)); psnr < 38 {
		t.Errorf("JPEG at quality %d gives %.1f dB; want at least 38", JPEGQuality, psnr)
	}
}

func psnr(mse float64) float64 {
	if mse == 0 {
		return 99
	}
	return 10 * log10(255*255/mse)
}

func TestEncodeRefuses(t *testing.T) {
	e, err := NewEncoder()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	big := newPicture(300, 300, func(x, y int) (byte, byte, byte) { return byte(x), byte(y), 0 })
	if _, _, err := e.Encode(nil, big.pix, 4*big.w, big.w, big.h, false); err == nil {
		t.Error("a 300x300 rectangle of many colours encoded; want an error asking to split it")
	}
	if _, _, err := e.Encode(nil, big.pix[:100], 4*big.w, 10, 10, false); err == nil {
		t.Error("a short picture encoded")
	}
}

// TestDecodeBad: data that does not fit its rectangle is an error wrapping
// ErrData, and the decoder writes nothing outside the rectangle.
func TestDecodeBad(t *testing.T) {
	e, _ := NewEncoder()
	defer e.Close()
	d, _ := NewDecoder()
	defer d.Close()
	text := newPicture(40, 20, func(x, y int) (byte, byte, byte) { return byte(x % 3 * 100), 0, byte(y) })
	_, palette, _ := e.Encode(nil, text.pix, 4*text.w, text.w, text.h, false)
	noise := newPicture(40, 20, func(x, y int) (byte, byte, byte) { return byte(x * y), byte(x * 7), byte(y * 13) })
	_, qoi, _ := e.Encode(nil, noise.pix, 4*noise.w, noise.w, noise.h, false)
	bomb := e.z.EncodeAll(make([]byte, 8<<20), nil)
	tests := []struct {
		name string
		enc  uint8
		data []byte
		w, h int
	}{
		{"solid of 2 bytes", proto.EncodingSolid, []byte{1, 2}, 4, 4},
		{"palette for another size", proto.EncodingPalette, palette, 40, 19},
		{"palette cut short", proto.EncodingPalette, palette[:len(palette)-3], 40, 20},
		{"QOI for a larger rectangle", proto.EncodingQOI, qoi, 41, 20},
		{"QOI for a smaller rectangle", proto.EncodingQOI, qoi, 39, 20},
		{"not zstd", proto.EncodingQOI, []byte("hello"), 4, 4},
		{"not JPEG", proto.EncodingJPEG, []byte("hello"), 4, 4},
		{"a bomb", proto.EncodingQOI, bomb, 256, 256},
		{"too many pixels", proto.EncodingQOI, qoi, 257, 256},
		{"unknown encoding", 9, qoi, 40, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stride := 4 * tt.w
			out := make([]byte, stride*tt.h+16)
			err := d.Decode(tt.enc, tt.data, tt.w, tt.h, out[:stride*tt.h], stride)
			if !errors.Is(err, ErrData) && !(tt.name == "solid of 2 bytes" && err != nil) {
				t.Errorf("Decode = %v; want an error wrapping ErrData", err)
			}
			for _, b := range out[stride*tt.h:] {
				if b != 0 {
					t.Fatal("Decode wrote past its rectangle")
				}
			}
		})
	}
}

// FuzzDecode: no data panics the decoder or makes it write outside its
// rectangle.
func FuzzDecode(f *testing.F) {
	e, _ := NewEncoder()
	defer e.Close()
	text := newPicture(16, 8, func(x, y int) (byte, byte, byte) { return byte(x % 3 * 100), 0, byte(y) })
	for _, lossy := range []bool{false, true} {
		enc, data, _ := e.Encode(nil, text.pix, 4*text.w, text.w, text.h, lossy)
		f.Add(enc, data, uint8(16), uint8(8))
	}
	noise := newPicture(16, 8, func(x, y int) (byte, byte, byte) { return byte(x * y), byte(x * 7), byte(y * 13) })
	enc, data, _ := e.Encode(nil, noise.pix, 4*noise.w, noise.w, noise.h, false)
	f.Add(enc, data, uint8(16), uint8(8))
	d, _ := NewDecoder()
	defer d.Close()
	f.Fuzz(func(t *testing.T, enc uint8, data []byte, w, h uint8) {
		if w == 0 || h == 0 {
			return
		}
		stride := 4*int(w) + 4
		out := make([]byte, stride*int(h)+64)
		d.Decode(enc%6, data, int(w), int(h), out[:stride*int(h)], stride)
		for y := range int(h) {
			for _, b := range out[y*stride+4*int(w) : (y+1)*stride] {
				if b != 0 {
					t.Fatal("Decode wrote outside its rectangle")
				}
			}
		}
		for _, b := range out[stride*int(h):] {
			if b != 0 {
				t.Fatal("Decode wrote past its rectangle")
			}
		}
	})
}

func log10(x float64) float64 { return math.Log10(x) }

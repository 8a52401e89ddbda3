package turbojpeg

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// TestDecodesWhatGoEncoded: a JPEG made by Go's encoder decodes into the
// right place of a larger buffer, close to the original, leaving the rest.
func TestDecodesWhatGoEncoded(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := range 32 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 8), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	d, err := NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const stride = 100 * 4
	dst := bytes.Repeat([]byte{7}, stride*40)
	at := 4*stride + 10*4 // row 4, column 10
	if err := d.DecodeBGRX(buf.Bytes(), dst[at:], 64, 32, stride); err != nil {
		t.Fatal(err)
	}
	for y := range 32 {
		for x := range 64 {
			p := dst[at+y*stride+x*4:]
			want := img.RGBAAt(x, y)
			for i, w := range []uint8{want.B, want.G, want.R} {
				if d := int(p[i]) - int(w); d > 8 || d < -8 {
					t.Fatalf("(%d,%d) channel %d: %d, want about %d", x, y, i, p[i], w)
				}
			}
		}
	}
	if dst[0] != 7 || dst[at-1] != 7 || dst[at+64*4] != 7 {
		t.Error("pixels outside the rectangle changed")
	}
	if err := d.DecodeBGRX(buf.Bytes(), dst, 32, 32, stride); err == nil {
		t.Error("a 64x32 image decoded as 32x32")
	}
	if err := d.DecodeBGRX([]byte("not a jpeg"), dst, 64, 32, stride); err == nil {
		t.Error("garbage decoded")
	}
}

// TestEncodeDecode: what the encoder makes at quality 90 decodes close to the
// original, and appends to what dst held.
func TestEncodeDecode(t *testing.T) {
	const w, h, stride = 48, 40, 50 * 4
	src := make([]byte, stride*h)
	for y := range h {
		for x := range w {
			p := src[y*stride+4*x:]
			p[0], p[1], p[2] = uint8(x*5), uint8(y*6), uint8(255-x*5)
		}
	}
	e, err := NewEncoder()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	out, err := e.EncodeBGRX([]byte("head"), src, w, h, stride, 90)
	if err != nil {
		t.Fatal(err)
	}
	if string(out[:4]) != "head" || out[4] != 0xff || out[5] != 0xd8 {
		t.Fatalf("EncodeBGRX = %x…; want the prefix, then a JPEG", out[:8])
	}
	d, err := NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	dst := make([]byte, w*h*4)
	if err := d.DecodeBGRX(out[4:], dst, w, h, w*4); err != nil {
		t.Fatal(err)
	}
	for y := range h {
		for x := range w {
			for c := range 3 {
				if d := int(dst[(y*w+x)*4+c]) - int(src[y*stride+4*x+c]); d > 10 || d < -10 {
					t.Fatalf("(%d,%d) channel %d: %d, want about %d", x, y, c, dst[(y*w+x)*4+c], src[y*stride+4*x+c])
				}
			}
		}
	}
	if _, err := e.EncodeBGRX(nil, src[:100], w, h, stride, 90); err == nil {
		t.Error("a short source encoded")
	}
}

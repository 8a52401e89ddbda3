// Package patchtest gives the patch codec's tests and benchmarks the screens
// a desktop shows: real applications on an Xvfb, and a page of text.
package patchtest

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

// Sample is a picture to code: W×H pixels, B,G,R,X, 4*W bytes a row.
type Sample struct {
	Name string
	W, H int
	Pix  []byte
}

// Samples are, in order: a 1920x1080 page of anti-aliased text (Go Mono 13
// px, dark on white, as an editor shows code), a 1920x1080 desktop of real
// applications (xterm with coloured text, xcalc, xlogo, a photo in
// ImageMagick's display), one character cell of the xterm (a typed glyph),
// xcalc (a dialog of buttons) and the photo. They come from an Xvfb of the
// test's own.
func Samples(t testing.TB) []Sample {
	t.Helper()
	const w, h = 1920, 1080
	x := xvfbtest.StartForTest(t, xvfb.Config{Width: w, Height: h})
	xvfbtest.StartApps(t, x.Display(), w)
	desk := xvfbtest.Screenshot(t, x.Display())
	third := w / 3
	return []Sample{
		FromImage("text 1920x1080", Text(t, w, h)),
		FromImage("desktop 1920x1080", desk),
		FromImage("glyph 8x16", desk.SubImage(image.Rect(0, 2, 8, 18)).(*image.RGBA)),
		FromImage("dialog 200x260", desk.SubImage(image.Rect(third+20, 10, third+220, 270)).(*image.RGBA)),
		FromImage("photo 600x400", desk.SubImage(image.Rect(2*third+12, 12, 2*third+612, 412)).(*image.RGBA)),
	}
}

// FromImage turns img into a Sample.
func FromImage(name string, img *image.RGBA) Sample {
	r := img.Rect
	s := Sample{Name: name, W: r.Dx(), H: r.Dy(), Pix: make([]byte, 4*r.Dx()*r.Dy())}
	for y := 0; y < s.H; y++ {
		for x := 0; x < s.W; x++ {
			c := img.RGBAAt(r.Min.X+x, r.Min.Y+y)
			i := 4 * (y*s.W + x)
			s.Pix[i], s.Pix[i+1], s.Pix[i+2] = c.B, c.G, c.R
		}
	}
	return s
}

// Text is a w×h page of this repository's code in Go Mono.
func Text(t testing.TB, w, h int) *image.RGBA {
	t.Helper()
	f, err := opentype.Parse(gomono.TTF)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 13, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	_, file, _, _ := runtime.Caller(0)
	src, err := os.ReadFile(filepath.Join(filepath.Dir(file), "../encode.go"))
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 250
	}
	d := &font.Drawer{Dst: img, Src: image.NewUniform(color.RGBA{30, 30, 36, 255}), Face: face}
	lines := strings.Split(strings.ReplaceAll(string(src), "\t", "    "), "\n")
	for n, y := 0, 13; y < h+13; n, y = n+1, y+16 {
		for x := 8; x < w; x += 960 { // two columns, as a wide editor
			d.Dot = fixed.P(x, y)
			d.DrawString(lines[(n+x/960*37)%len(lines)])
		}
	}
	return img
}

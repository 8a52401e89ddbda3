package render

import (
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// overlayImage draws lines of text, white on translucent black, as RGBA with
// premultiplied alpha (what the cursor shader blends).
func overlayImage(lines []string) *image.RGBA {
	face := basicfont.Face7x13
	const pad, lineH = 6, 15
	w := 0
	for _, l := range lines {
		w = max(w, font.MeasureString(face, l).Ceil())
	}
	img := image.NewRGBA(image.Rect(0, 0, w+2*pad, len(lines)*lineH+2*pad))
	// Premultiplied: alpha 0.7 black is (0, 0, 0, 179).
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{0, 0, 0, 179}}, image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: image.White, Face: face}
	for i, l := range lines {
		d.Dot = fixed.P(pad, pad+(i+1)*lineH-3)
		d.DrawString(l)
	}
	return img
}

package render

import (
	"image"
	"image/color"
	"image/draw"

	"github.com/go-gl/gl/v3.3-core/gl"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// overlayImage draws lines of text (ASCII: the face has nothing else), white on translucent black, as RGBA with
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

// drawOverlay draws the statistics in the top-left corner, when shown.
func (w *Window) drawOverlay() {
	if !w.overlay {
		return
	}
	lines := []string{"dream"}
	if w.lines != nil {
		lines = w.lines()
	}
	img := overlayImage(lines)
	w.drawText(img, 8, 8, 1)
}

// drawStatus draws the status line (reconnecting, say) in the middle of the
// window, twice the overlay's size where that fits.
func (w *Window) drawStatus() {
	if w.status == "" {
		return
	}
	img := overlayImage([]string{w.status})
	scale := 2
	if 2*img.Rect.Dx() > w.fbW {
		scale = 1
	}
	w.drawText(img, (w.fbW-scale*img.Rect.Dx())/2, (w.fbH-scale*img.Rect.Dy())/2, scale)
}

// drawText blends img at (x, y) from the framebuffer's top-left corner,
// scale framebuffer pixels to its pixel.
func (w *Window) drawText(img *image.RGBA, x, y, scale int) {
	gl.ActiveTexture(gl.TEXTURE4)
	gl.BindTexture(gl.TEXTURE_2D, w.ovTex)
	gl.TexImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, int32(img.Rect.Dx()), int32(img.Rect.Dy()), 0, gl.RGBA, gl.UNSIGNED_BYTE, gl.Ptr(&img.Pix[0]))
	dw, dh := scale*img.Rect.Dx(), scale*img.Rect.Dy()
	gl.Viewport(int32(x), int32(w.fbH-y-dh), int32(dw), int32(dh))
	gl.UseProgram(w.cursorProg)
	gl.Uniform1i(gl.GetUniformLocation(w.cursorProg, gl.Str("tc\x00")), 4)
	gl.Enable(gl.BLEND)
	gl.BlendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA)
	gl.DrawArrays(gl.TRIANGLE_STRIP, 0, 4)
	gl.Disable(gl.BLEND)
	gl.Uniform1i(gl.GetUniformLocation(w.cursorProg, gl.Str("tc\x00")), 3)
	gl.UseProgram(w.prog)
}

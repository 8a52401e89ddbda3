package render

import (
	"image"

	"github.com/go-gl/gl/v3.3-core/gl"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// cursorImage is a cursor's RGBA pixels (premultiplied) and hotspot.
type cursorImage struct {
	pix        []byte
	w, h       int
	hotX, hotY int
}

// SetCursor replaces the cursor's image: pix is w×h RGBA with premultiplied
// alpha, hot its hotspot. The window keeps pix.
func (w *Window) SetCursor(pix []byte, width, height int, hot image.Point) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.cursorNew = &cursorImage{pix: pix, w: width, h: height, hotX: hot.X, hotY: hot.Y}
	glfw.PostEmptyEvent()
}

// SetCursorPos places the cursor's hotspot at p in picture pixels; a point
// outside the picture, or shown false, hides it.
func (w *Window) SetCursorPos(p image.Point, shown bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.cursorAt, w.cursorShown, w.cursorMoved = p, shown, true
	glfw.PostEmptyEvent()
}
func (w *Window) uploadCursor(c *cursorImage) {
	gl.ActiveTexture(gl.TEXTURE3)
	gl.BindTexture(gl.TEXTURE_2D, w.cursorTex)
	gl.TexImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, int32(c.w), int32(c.h), 0, gl.RGBA, gl.UNSIGNED_BYTE, gl.Ptr(&c.pix[0]))
	w.cursor = *c
}

// drawCursor draws the cursor over the picture, at the picture's scale.
func (w *Window) drawCursor() {
	w.mu.Lock()
	at, shown := w.cursorAt, w.cursorShown
	w.mu.Unlock()
	c := w.cursor
	if !shown || c.w == 0 || w.texW == 0 {
		return
	}
	// Drawn where any of it falls on this tile (a cursor straddling two tiles
	// shows its part on each), clipped to the picture.
	rect := image.Rect(at.X-c.hotX, at.Y-c.hotY, at.X-c.hotX+c.w, at.Y-c.hotY+c.h)
	if !rect.Overlaps(image.Rect(0, 0, w.texW, w.texH)) {
		return
	}
	vx, vy, vw, vh := w.viewport()
	gl.Enable(gl.SCISSOR_TEST)
	gl.Scissor(int32(vx), int32(vy), int32(vw), int32(vh))
	defer gl.Disable(gl.SCISSOR_TEST)
	scale := float64(vw) / float64(w.texW)
	left := float64(vx) + float64(at.X-c.hotX)*scale
	top := float64(vy) + float64(at.Y-c.hotY)*scale
	cw, ch := float64(c.w)*scale, float64(c.h)*scale
	gl.Viewport(int32(left), int32(float64(w.fbH)-top-ch), int32(cw+0.5), int32(ch+0.5))
	gl.UseProgram(w.cursorProg)
	gl.Enable(gl.BLEND)
	gl.BlendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA) // premultiplied alpha
	gl.DrawArrays(gl.TRIANGLE_STRIP, 0, 4)
	gl.Disable(gl.BLEND)
	gl.UseProgram(w.prog)
}

// The cursor: RGBA with premultiplied alpha, blended over the picture.
const cursorShader = `#version 330 core
in vec2 uv;
out vec4 color;
uniform sampler2D tc;
void main() {
	color = texture(tc, uv);
}
` + "\x00"

package render

import (
	"fmt"
	"image"
	"strings"

	"github.com/go-gl/gl/v3.3-core/gl"
)

// setupGL makes the shaders and textures: the picture, the cursor and the
// overlay.
func (w *Window) setupGL() error {
	prog, err := program(vertexShader, fragmentShader)
	if err != nil {
		return err
	}
	w.prog = prog
	gl.UseProgram(prog)
	gl.Uniform1i(gl.GetUniformLocation(prog, gl.Str("tp\x00")), 0)
	w.dimLoc = gl.GetUniformLocation(prog, gl.Str("dim\x00"))
	gl.Uniform1f(w.dimLoc, 1)
	gl.GenVertexArrays(1, &w.vao)
	gl.BindVertexArray(w.vao)
	gl.GenTextures(1, &w.tex)
	gl.ActiveTexture(gl.TEXTURE0)
	gl.BindTexture(gl.TEXTURE_2D, w.tex)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
	gl.PixelStorei(gl.UNPACK_ALIGNMENT, 4)
	gl.ClearColor(0, 0, 0, 1)

	if w.cursorProg, err = program(vertexShader, cursorShader); err != nil {
		return err
	}
	gl.UseProgram(w.cursorProg)
	gl.Uniform1i(gl.GetUniformLocation(w.cursorProg, gl.Str("tc\x00")), 3)
	gl.GenTextures(1, &w.ovTex)
	gl.ActiveTexture(gl.TEXTURE4)
	gl.BindTexture(gl.TEXTURE_2D, w.ovTex)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST)
	gl.GenTextures(1, &w.cursorTex)
	gl.ActiveTexture(gl.TEXTURE3)
	gl.BindTexture(gl.TEXTURE_2D, w.cursorTex)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
	gl.UseProgram(w.prog)
	return nil
}

// upload copies the changed rectangles of the picture (B,G,R,A, w×h) into
// the texture, the whole of it when its size changed. It runs under the
// picture's lock (compose.Picture.Take).
func (w *Window) upload(pix []byte, width, height int, rects []image.Rectangle) {
	gl.ActiveTexture(gl.TEXTURE0)
	gl.BindTexture(gl.TEXTURE_2D, w.tex)
	if width != w.texW || height != w.texH {
		w.texW, w.texH = width, height
		gl.TexImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, int32(width), int32(height), 0, gl.BGRA, gl.UNSIGNED_INT_8_8_8_8_REV, gl.Ptr(&pix[0]))
		w.uploaded += width * height
		w.drawn = true
		return
	}
	gl.PixelStorei(gl.UNPACK_ROW_LENGTH, int32(width))
	for _, r := range rects {
		r = r.Intersect(image.Rect(0, 0, width, height))
		if r.Empty() {
			continue
		}
		gl.TexSubImage2D(gl.TEXTURE_2D, 0, int32(r.Min.X), int32(r.Min.Y), int32(r.Dx()), int32(r.Dy()),
			gl.BGRA, gl.UNSIGNED_INT_8_8_8_8_REV, gl.Ptr(&pix[4*(r.Min.Y*width+r.Min.X)]))
		w.uploaded += r.Dx() * r.Dy()
	}
	gl.PixelStorei(gl.UNPACK_ROW_LENGTH, 0)
	w.drawn = true
}

// viewport is where the picture is drawn in the framebuffer, letterboxed to
// keep its aspect ratio.
func (w *Window) viewport() (x, y, vw, vh int) {
	vw, vh = w.fbW, w.fbW*w.texH/w.texW
	if vh > w.fbH {
		vw, vh = w.fbH*w.texW/w.texH, w.fbH
	}
	return (w.fbW - vw) / 2, (w.fbH - vh) / 2, vw, vh
}

// pictureAt maps a point in window coordinates to the picture's pixels,
// clamped to the picture; ok is false before the first picture.
func (w *Window) pictureAt(x, y float64) (px, py int, ok bool) {
	if w.texW == 0 || w.texH == 0 {
		return 0, 0, false
	}
	winW, winH := w.win.GetSize()
	if winW > 0 && winH > 0 { // window coordinates to framebuffer pixels (HiDPI)
		x, y = x*float64(w.fbW)/float64(winW), y*float64(w.fbH)/float64(winH)
	}
	vx, vy, vw, vh := w.viewport()
	px = int((x - float64(vx)) * float64(w.texW) / float64(vw))
	py = int((y - float64(vy)) * float64(w.texH) / float64(vh))
	return max(0, min(px, w.texW-1)), max(0, min(py, w.texH-1)), true
}

// draw fills the window with the picture, letterboxed to keep its aspect ratio.
func (w *Window) draw() {
	gl.Viewport(0, 0, int32(w.fbW), int32(w.fbH))
	gl.Clear(gl.COLOR_BUFFER_BIT)
	if w.drawn && w.texW > 0 && w.texH > 0 {
		x, y, vw, vh := w.viewport()
		gl.Viewport(int32(x), int32(y), int32(vw), int32(vh))
		dim := float32(1)
		if w.status != "" {
			dim = statusDim
		}
		gl.Uniform1f(w.dimLoc, dim)
		gl.DrawArrays(gl.TRIANGLE_STRIP, 0, 4)
	}
	w.drawCursor()
	w.drawStatus()
	w.drawOverlay()
	w.win.SwapBuffers()
}

const vertexShader = `#version 330 core
out vec2 uv;
void main() {
	vec2 p = vec2(float(gl_VertexID & 1) * 2.0 - 1.0, float(gl_VertexID >> 1) * 2.0 - 1.0);
	uv = vec2((p.x + 1.0) * 0.5, (1.0 - p.y) * 0.5);
	gl_Position = vec4(p, 0.0, 1.0);
}
` + "\x00"

// statusDim is how bright the picture is under a status line: the last
// picture, dimmed, while the viewer reconnects.
const statusDim = 0.35

// The picture, as composed: its texture as it is, or dimmed.
const fragmentShader = `#version 330 core
in vec2 uv;
out vec4 color;
uniform sampler2D tp;
uniform float dim;
void main() {
	color = vec4(texture(tp, uv).rgb * dim, 1.0);
}
` + "\x00"

func program(vs, fs string) (uint32, error) {
	v, err := shader(vs, gl.VERTEX_SHADER)
	if err != nil {
		return 0, err
	}
	f, err := shader(fs, gl.FRAGMENT_SHADER)
	if err != nil {
		return 0, err
	}
	p := gl.CreateProgram()
	gl.AttachShader(p, v)
	gl.AttachShader(p, f)
	gl.LinkProgram(p)
	gl.DeleteShader(v)
	gl.DeleteShader(f)
	var ok int32
	gl.GetProgramiv(p, gl.LINK_STATUS, &ok)
	if ok == gl.FALSE {
		return 0, fmt.Errorf("link shaders: %s", infoLog(p, gl.GetProgramiv, gl.GetProgramInfoLog))
	}
	return p, nil
}
func shader(src string, kind uint32) (uint32, error) {
	s := gl.CreateShader(kind)
	csrc, free := gl.Strs(src)
	gl.ShaderSource(s, 1, csrc, nil)
	free()
	gl.CompileShader(s)
	var ok int32
	gl.GetShaderiv(s, gl.COMPILE_STATUS, &ok)
	if ok == gl.FALSE {
		return 0, fmt.Errorf("compile shader: %s", infoLog(s, gl.GetShaderiv, gl.GetShaderInfoLog))
	}
	return s, nil
}
func infoLog(obj uint32, get func(uint32, uint32, *int32), read func(uint32, int32, *int32, *uint8)) string {
	var n int32
	get(obj, gl.INFO_LOG_LENGTH, &n)
	if n <= 0 {
		return "no log"
	}
	buf := make([]byte, n+1)
	read(obj, n, nil, &buf[0])
	return strings.TrimRight(string(buf), "\x00")
}

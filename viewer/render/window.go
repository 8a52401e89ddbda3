package render

import (
	"context"
	"errors"
	"fmt"
	"image"
	"strings"
	"sync"

	"github.com/go-gl/gl/v3.3-core/gl"
	"github.com/go-gl/glfw/v3.3/glfw"

	"dream/internal/yuv"
)

// WindowConfig configures a Window.
type WindowConfig struct {
	Title    string
	Windowed bool // a window of Width×Height instead of fullscreen on the primary monitor
	Width    int  // windowed size; 0 means 1280x720
	Height   int
	// X and Y place a window's top-left corner on the screen when Place is set;
	// otherwise the window system places it.
	X, Y  int
	Place bool
	// Input, when set, receives the window's keyboard and mouse.
	Input Input
	// Keys are the window's hotkeys; zero fields take DefaultHotkeys'.
	Keys Hotkeys
	// Overlay gives the lines the statistics overlay shows (refreshed every
	// half second while it is up); nil leaves the overlay empty.
	Overlay func() []string
	// Monitor is the monitor to fill, counted from 1; 0 is the primary.
	Monitor int
}

// Input receives a window's keyboard and mouse, on the window's thread.
type Input interface {
	Key(keycode int, down bool)   // keycode: the X keycode of the key
	Button(button int, down bool) // X numbering: 1 left, 2 middle, 3 right, 8 back, 9 forward
	Scroll(dx, dy float64)        // notches; positive dy towards the user
	Pointer(x, y int)             // in the picture's pixels, clamped to it
	PointerBy(dx, dy int)         // a captured pointer's motion, in the picture's pixels
	Jump(dir int)                 // pointer to the next (1) or previous (-1) tile
	Focus(focused bool)
}

// Window draws pictures with OpenGL. NewWindow, Run and Close must be called from
// the main OS thread (runtime.LockOSThread in main's init); Show from any
// goroutine.
type Window struct {
	win *glfw.Window

	mu     sync.Mutex
	closed bool      // after Close, Show and SetCursor* do nothing
	back   *yuv.I420 // newest picture, written by Show
	fresh  bool      // back holds a picture not drawn yet
	front  *yuv.I420 // the picture being drawn, owned by Run
	resize bool

	// The desktop's cursor, drawn over the picture: set by SetCursor and
	// SetCursorPos from any goroutine (under mu), drawn by Run.
	cursorNew   *cursorImage // image not uploaded yet
	cursorAt    image.Point  // hotspot position in picture pixels
	cursorShown bool
	cursorMoved bool
	cursor      cursorImage // the uploaded image (Run's)
	cursorProg  uint32
	cursorTex   uint32

	input    Input
	captured bool // the pointer is captured: relative motion
	focused  bool
	lastX    float64 // the captured pointer's previous position
	lastY    float64
	restX    float64 // motion below one picture pixel, kept for the next
	restY    float64
	overlay  bool
	lines    func() []string
	ovTex    uint32

	prog     uint32
	vao      uint32
	tex      [3]uint32
	texW     int
	texH     int
	drawn    bool
	fbW, fbH int
}

// NewWindow opens the window and sets up OpenGL.
func NewWindow(cfg WindowConfig) (*Window, error) {
	if err := glfw.Init(); err != nil {
		return nil, fmt.Errorf("cannot open a window: %w (is DISPLAY set? use --headless without a display)", err)
	}
	glfw.WindowHint(glfw.ContextVersionMajor, 3)
	glfw.WindowHint(glfw.ContextVersionMinor, 3)
	glfw.WindowHint(glfw.OpenGLProfile, glfw.OpenGLCoreProfile)
	glfw.WindowHint(glfw.OpenGLForwardCompatible, glfw.True)
	var win *glfw.Window
	var err error
	if cfg.Windowed {
		w, h := cfg.Width, cfg.Height
		if w <= 0 || h <= 0 {
			w, h = 1280, 720
		}
		if cfg.Place {
			glfw.WindowHint(glfw.Visible, glfw.False) // shown once in place
		}
		win, err = glfw.CreateWindow(w, h, cfg.Title, nil, nil)
		if err == nil && cfg.Place {
			win.SetPos(cfg.X, cfg.Y)
			win.Show()
		}
	} else {
		mon := glfw.GetPrimaryMonitor()
		if mons := glfw.GetMonitors(); cfg.Monitor > len(mons) {
			glfw.Terminate()
			return nil, fmt.Errorf("no monitor %d: this machine has %d (use 1 to %d)", cfg.Monitor, len(mons), len(mons))
		} else if cfg.Monitor > 0 {
			mon = mons[cfg.Monitor-1]
		}
		if mon == nil {
			glfw.Terminate()
			return nil, errors.New("cannot go fullscreen: no monitor found (try --windowed)")
		}
		mode := mon.GetVideoMode()
		win, err = glfw.CreateWindow(mode.Width, mode.Height, cfg.Title, mon, nil)
	}
	if err != nil {
		glfw.Terminate()
		return nil, fmt.Errorf("cannot open an OpenGL 3.3 window: %w", err)
	}
	win.MakeContextCurrent()
	glfw.SwapInterval(1)
	if err := gl.Init(); err != nil {
		win.Destroy()
		glfw.Terminate()
		return nil, fmt.Errorf("OpenGL: %w", err)
	}
	w := &Window{win: win}
	if err := w.setupGL(); err != nil {
		w.Close()
		return nil, err
	}
	w.fbW, w.fbH = win.GetFramebufferSize()
	win.SetFramebufferSizeCallback(func(_ *glfw.Window, width, height int) {
		w.fbW, w.fbH = width, height
		w.resize = true
	})
	win.SetRefreshCallback(func(*glfw.Window) { w.resize = true })
	keys := cfg.Keys.withDefaults()
	win.SetKeyCallback(func(win *glfw.Window, key glfw.Key, scancode int, action glfw.Action, mods glfw.ModifierKey) {
		if action == glfw.Press && w.hotkey(keys, key, mods) {
			return
		}
		if cfg.Input != nil && action != glfw.Repeat {
			cfg.Input.Key(scancode, action == glfw.Press)
		}
	})
	if in := cfg.Input; in != nil {
		// The desktop's cursor is drawn instead (SetCursor), where the desktop has it.
		win.SetInputMode(glfw.CursorMode, glfw.CursorHidden)
		win.SetMouseButtonCallback(func(_ *glfw.Window, b glfw.MouseButton, action glfw.Action, _ glfw.ModifierKey) {
			if x := xButton(b); x != 0 {
				in.Button(x, action == glfw.Press)
			}
		})
		win.SetScrollCallback(func(_ *glfw.Window, dx, dy float64) { in.Scroll(dx, -dy) })
		win.SetCursorPosCallback(func(_ *glfw.Window, x, y float64) {
			if w.captured {
				if w.focused { // unfocused, GLFW lets the pointer go: not ours
					w.moveBy(x, y)
				}
				w.lastX, w.lastY = x, y
				return
			}
			if px, py, ok := w.pictureAt(x, y); ok {
				in.Pointer(px, py)
			}
		})
		// GLFW itself lets a captured pointer go while the window is not focused
		// and takes it back on return.
		win.SetFocusCallback(func(_ *glfw.Window, focused bool) {
			w.focused = focused
			if focused {
				w.lastX, w.lastY = w.win.GetCursorPos()
			}
			in.Focus(focused)
		})
	}
	w.input = cfg.Input
	w.lines = cfg.Overlay
	return w, nil
}

// hotkey acts on the window's own keys; it reports whether key was one.
func (w *Window) hotkey(keys Hotkeys, key glfw.Key, mods glfw.ModifierKey) bool {
	switch {
	case keys.Quit.matches(key, mods):
		w.win.SetShouldClose(true)
	case keys.Overlay.matches(key, mods):
		w.overlay = !w.overlay
		w.resize = true // redraw
	case w.input == nil:
		return false
	case keys.Capture.matches(key, mods):
		w.capture(!w.captured)
	case keys.Next.matches(key, mods):
		w.input.Jump(1)
	case keys.Prev.matches(key, mods):
		w.input.Jump(-1)
	default:
		return false
	}
	return true
}

// capture captures the pointer (hidden, unbounded, relative motion: it can
// leave this tile for the next) or releases it.
func (w *Window) capture(on bool) {
	w.captured = on
	if on {
		// GLFW captures only a focused window; without a window manager,
		// keyboard focus follows the pointer and the window is not "focused".
		w.win.Focus()
		w.focused = true
		w.win.SetInputMode(glfw.CursorMode, glfw.CursorDisabled)
		if glfw.RawMouseMotionSupported() {
			w.win.SetInputMode(glfw.RawMouseMotion, glfw.True)
		}
		w.lastX, w.lastY = w.win.GetCursorPos()
		w.restX, w.restY = 0, 0
		return
	}
	w.win.SetInputMode(glfw.CursorMode, glfw.CursorHidden)
}

// moveBy sends a captured pointer's motion, scaled from window to picture
// pixels.
func (w *Window) moveBy(x, y float64) {
	dx, dy := x-w.lastX, y-w.lastY
	if w.texW > 0 {
		winW, _ := w.win.GetSize()
		_, _, vw, _ := w.viewport()
		if winW > 0 && vw > 0 {
			s := float64(w.texW) / (float64(vw) * float64(winW) / float64(w.fbW))
			dx, dy = dx*s, dy*s
		}
	}
	dx, dy = dx+w.restX, dy+w.restY
	ix, iy := int(dx), int(dy)
	w.restX, w.restY = dx-float64(ix), dy-float64(iy)
	if ix != 0 || iy != 0 {
		w.input.PointerBy(ix, iy)
	}
}

func (k Hotkeys) withDefaults() Hotkeys {
	d := DefaultHotkeys
	for _, f := range []struct{ got, def *Hotkey }{{&k.Quit, &d.Quit}, {&k.Capture, &d.Capture},
		{&k.Overlay, &d.Overlay}, {&k.Next, &d.Next}, {&k.Prev, &d.Prev}} {
		if f.got.Key == 0 {
			*f.got = *f.def
		}
	}
	return k
}

// Show copies pic into the window's slot (latest wins) and wakes Run.
func (w *Window) Show(pic *yuv.I420) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.back = yuv.Copy(w.back, pic)
	w.fresh = true
	glfw.PostEmptyEvent()
}

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

// Run draws each new picture until ctx ends or the user closes the window.
func (w *Window) Run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, glfw.PostEmptyEvent)
	defer stop()
	for ctx.Err() == nil && !w.win.ShouldClose() {
		if w.overlay {
			glfw.WaitEventsTimeout(0.5) // the overlay's figures change
			w.resize = true
		} else {
			glfw.WaitEvents()
		}
		w.mu.Lock()
		fresh := w.fresh
		if fresh {
			w.front, w.back = w.back, w.front
			w.fresh = false
		}
		newCursor, moved := w.cursorNew, w.cursorMoved
		w.cursorNew, w.cursorMoved = nil, false
		w.mu.Unlock()
		if fresh {
			w.upload(w.front)
		}
		if newCursor != nil {
			w.uploadCursor(newCursor)
		}
		if fresh || w.resize || moved || newCursor != nil {
			w.resize = false
			w.draw()
		}
	}
	return nil
}

// Close destroys the window. Show and SetCursor* may still be called; they do
// nothing.
func (w *Window) Close() {
	w.mu.Lock()
	w.closed = true // held while PostEmptyEvent may run: none runs past here
	w.mu.Unlock()
	w.win.Destroy()
	glfw.Terminate()
}

func (w *Window) setupGL() error {
	prog, err := program(vertexShader, fragmentShader)
	if err != nil {
		return err
	}
	w.prog = prog
	gl.UseProgram(prog)
	for i, name := range []string{"ty\x00", "tu\x00", "tv\x00"} {
		gl.Uniform1i(gl.GetUniformLocation(prog, gl.Str(name)), int32(i))
	}
	gl.GenVertexArrays(1, &w.vao)
	gl.BindVertexArray(w.vao)
	gl.GenTextures(3, &w.tex[0])
	for _, t := range w.tex {
		gl.BindTexture(gl.TEXTURE_2D, t)
		gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR)
		gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR)
		gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
		gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
	}
	gl.PixelStorei(gl.UNPACK_ALIGNMENT, 1)
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

// upload copies the planes into the three textures.
func (w *Window) upload(pic *yuv.I420) {
	cw, ch := (pic.Width+1)/2, (pic.Height+1)/2
	planes := [3]struct {
		data         []byte
		stride, w, h int
	}{{pic.Y, pic.YStride, pic.Width, pic.Height}, {pic.U, pic.CStride, cw, ch}, {pic.V, pic.CStride, cw, ch}}
	realloc := pic.Width != w.texW || pic.Height != w.texH
	w.texW, w.texH = pic.Width, pic.Height
	for i, p := range planes {
		gl.ActiveTexture(gl.TEXTURE0 + uint32(i))
		gl.BindTexture(gl.TEXTURE_2D, w.tex[i])
		gl.PixelStorei(gl.UNPACK_ROW_LENGTH, int32(p.stride))
		if realloc {
			gl.TexImage2D(gl.TEXTURE_2D, 0, gl.R8, int32(p.w), int32(p.h), 0, gl.RED, gl.UNSIGNED_BYTE, gl.Ptr(&p.data[0]))
		} else {
			gl.TexSubImage2D(gl.TEXTURE_2D, 0, 0, 0, int32(p.w), int32(p.h), gl.RED, gl.UNSIGNED_BYTE, gl.Ptr(&p.data[0]))
		}
	}
	gl.PixelStorei(gl.UNPACK_ROW_LENGTH, 0)
	w.drawn = true
}

// xButton maps GLFW's button numbers to X's.
func xButton(b glfw.MouseButton) int {
	switch b {
	case glfw.MouseButtonLeft:
		return 1
	case glfw.MouseButtonMiddle:
		return 2
	case glfw.MouseButtonRight:
		return 3
	case glfw.MouseButton4:
		return 8
	case glfw.MouseButton5:
		return 9
	}
	return 0
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
		gl.DrawArrays(gl.TRIANGLE_STRIP, 0, 4)
	}
	w.drawCursor()
	w.drawOverlay()
	w.win.SwapBuffers()
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
	gl.ActiveTexture(gl.TEXTURE4)
	gl.BindTexture(gl.TEXTURE_2D, w.ovTex)
	gl.TexImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, int32(img.Rect.Dx()), int32(img.Rect.Dy()), 0, gl.RGBA, gl.UNSIGNED_BYTE, gl.Ptr(&img.Pix[0]))
	gl.Viewport(8, int32(w.fbH-8-img.Rect.Dy()), int32(img.Rect.Dx()), int32(img.Rect.Dy()))
	gl.UseProgram(w.cursorProg)
	gl.Uniform1i(gl.GetUniformLocation(w.cursorProg, gl.Str("tc\x00")), 4)
	gl.Enable(gl.BLEND)
	gl.BlendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA)
	gl.DrawArrays(gl.TRIANGLE_STRIP, 0, 4)
	gl.Disable(gl.BLEND)
	gl.Uniform1i(gl.GetUniformLocation(w.cursorProg, gl.Str("tc\x00")), 3)
	gl.UseProgram(w.prog)
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

const vertexShader = `#version 330 core
out vec2 uv;
void main() {
	vec2 p = vec2(float(gl_VertexID & 1) * 2.0 - 1.0, float(gl_VertexID >> 1) * 2.0 - 1.0);
	uv = vec2((p.x + 1.0) * 0.5, (1.0 - p.y) * 0.5);
	gl_Position = vec4(p, 0.0, 1.0);
}
` + "\x00"

// BT.601 limited range, as the encoder's libyuv conversion.
const fragmentShader = `#version 330 core
in vec2 uv;
out vec4 color;
uniform sampler2D ty, tu, tv;
void main() {
	float y = 1.16438 * (texture(ty, uv).r - 0.0625);
	float u = texture(tu, uv).r - 0.5;
	float v = texture(tv, uv).r - 0.5;
	color = vec4(y + 1.59603 * v, y - 0.39176 * u - 0.81297 * v, y + 2.01723 * u, 1.0);
}
` + "\x00"

// The cursor: RGBA with premultiplied alpha, blended over the picture.
const cursorShader = `#version 330 core
in vec2 uv;
out vec4 color;
uniform sampler2D tc;
void main() {
	color = texture(tc, uv);
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

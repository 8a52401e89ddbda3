package render

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"

	"github.com/go-gl/gl/v3.3-core/gl"
	"github.com/go-gl/glfw/v3.3/glfw"

	"dream/viewer/compose"
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

	pic *compose.Picture // what is drawn

	mu     sync.Mutex
	closed bool // after Close, Wake and SetCursor* do nothing
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

	statusNew *string // set by SetStatus (under mu), taken by Run
	status    string  // Run's: drawn over the dimmed picture when not ""
	dimLoc    int32

	prog     uint32
	vao      uint32
	tex      uint32 // the picture, RGBA
	texW     int
	texH     int
	drawn    bool
	fbW, fbH int
	uploaded int // pixels uploaded in all, for the overlay and tests
}

// NewWindow opens the window and sets up OpenGL; it draws pic, and should be
// woken (Wake) when pic changes.
func NewWindow(cfg WindowConfig, pic *compose.Picture) (*Window, error) {
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
	w := &Window{win: win, pic: pic}
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

// Wake makes Run look at the picture again (it changed). Safe from any
// goroutine.
func (w *Window) Wake() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		glfw.PostEmptyEvent()
	}
}

// SetStatus shows text in the middle of the window, over the picture
// dimmed ("reconnecting to …"); "" takes it away. Safe from any goroutine.
func (w *Window) SetStatus(text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.statusNew = &text
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
		fresh := w.pic.Take(w.upload)
		w.mu.Lock()
		newCursor, moved, status := w.cursorNew, w.cursorMoved, w.statusNew
		w.cursorNew, w.cursorMoved, w.statusNew = nil, false, nil
		w.mu.Unlock()
		if status != nil && *status != w.status {
			w.status = *status
			w.resize = true // redraw
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

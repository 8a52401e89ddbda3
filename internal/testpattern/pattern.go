package testpattern

import (
	"fmt"
	"image"
	"image/color"
	"os"
	"sync"
	"sync/atomic"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"dream/internal/x11"
)

// Pattern is a connected test-pattern client showing its picture on a display.
type Pattern struct {
	conn    *xgb.Conn
	display string
	win     xproto.Window
	shown   xproto.Pixmap // the window's background
	orig    xproto.Pixmap // the pattern as first drawn, for Restore
	gc      xproto.Gcontext
	bounds  image.Rectangle
	tiles   int
	pixel   func(color.RGBA) uint32

	asyncErr  atomic.Pointer[error] // first X error of an unchecked request
	drained   chan struct{}         // closed when the event loop has ended
	closeOnce sync.Once
}

// Start connects to display ("" means $DISPLAY), covers the whole root with
// an override-redirect window showing the pattern cut into tiles columns, and
// returns once the picture is on screen.
func Start(display string, tiles int) (*Pattern, error) {
	if display == "" {
		display = os.Getenv("DISPLAY")
	}
	if tiles < 1 {
		return nil, fmt.Errorf("testpattern: %d tiles: need at least 1", tiles)
	}
	conn, display, err := x11.Dial(display)
	if err != nil {
		return nil, fmt.Errorf("testpattern: %w", err)
	}
	p := &Pattern{conn: conn, display: display, tiles: tiles, drained: make(chan struct{})}
	go p.drain()
	if err := p.setup(); err != nil {
		p.Close()
		return nil, fmt.Errorf("testpattern: display %s: %w", display, err)
	}
	return p, nil
}

func (p *Pattern) setup() error {
	setup := xproto.Setup(p.conn)
	screen := setup.DefaultScreen(p.conn)
	w, h := int(screen.WidthInPixels), int(screen.HeightInPixels)
	p.bounds = image.Rect(0, 0, w, h)
	if p.tiles > w {
		return fmt.Errorf("%d tiles do not fit in %d pixels of width", p.tiles, w)
	}
	if screen.RootDepth != 24 || bitsPerPixel(setup, 24) != 32 {
		return fmt.Errorf("root depth %d (%d bits per pixel): only depth 24 at 32 bpp is supported (start Xvfb with -screen 0 WxHx24)",
			screen.RootDepth, bitsPerPixel(setup, screen.RootDepth))
	}
	vis := visual(screen)
	if vis == nil {
		return fmt.Errorf("root visual %d not found in the screen's depths", screen.RootVisual)
	}
	p.pixel = pixelFunc(vis)

	var err error
	if p.shown, err = xproto.NewPixmapId(p.conn); err != nil {
		return err
	}
	if p.orig, err = xproto.NewPixmapId(p.conn); err != nil {
		return err
	}
	if p.gc, err = xproto.NewGcontextId(p.conn); err != nil {
		return err
	}
	if p.win, err = xproto.NewWindowId(p.conn); err != nil {
		return err
	}
	root := xproto.Drawable(screen.Root)
	for _, px := range []xproto.Pixmap{p.shown, p.orig} {
		if err := xproto.CreatePixmapChecked(p.conn, 24, px, root, uint16(w), uint16(h)).Check(); err != nil {
			return fmt.Errorf("create %dx%d pixmap: %w", w, h, err)
		}
	}
	if err := xproto.CreateGCChecked(p.conn, p.gc, xproto.Drawable(p.orig),
		xproto.GcGraphicsExposures, []uint32{0}).Check(); err != nil {
		return fmt.Errorf("create GC: %w", err)
	}
	img := render(w, h, p.tiles)
	if err := p.put(xproto.Drawable(p.orig), img, setup); err != nil {
		return err
	}
	xproto.CopyArea(p.conn, xproto.Drawable(p.orig), xproto.Drawable(p.shown), p.gc, 0, 0, 0, 0, uint16(w), uint16(h))

	err = xproto.CreateWindowChecked(p.conn, 0 /* CopyFromParent */, p.win, screen.Root,
		0, 0, uint16(w), uint16(h), 0, xproto.WindowClassInputOutput, 0, /* CopyFromParent */
		xproto.CwBackPixmap|xproto.CwOverrideRedirect, []uint32{uint32(p.shown), 1}).Check()
	if err != nil {
		return fmt.Errorf("create window: %w", err)
	}
	xproto.MapWindow(p.conn, p.win)
	// A backdrop: below windows that were mapped before it (the demo's terminal).
	xproto.ConfigureWindow(p.conn, p.win, xproto.ConfigWindowStackMode, []uint32{xproto.StackModeBelow})
	return p.show(p.bounds)
}

// put uploads img to d with PutImage requests that each stay under the
// server's maximum request length.
func (p *Pattern) put(d xproto.Drawable, img *image.RGBA, setup *xproto.SetupInfo) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	const header = 24 // PutImage request header bytes
	rows := (int(setup.MaximumRequestLength)*4 - header) / (w * 4)
	if rows < 1 {
		return fmt.Errorf("a %d-pixel row exceeds the X server's request limit of %d bytes", w, int(setup.MaximumRequestLength)*4)
	}
	msb := setup.ImageByteOrder == xproto.ImageOrderMSBFirst
	buf := make([]byte, rows*w*4)
	for y0 := 0; y0 < h; y0 += rows {
		n := min(rows, h-y0)
		data := buf[:n*w*4]
		for y := range n {
			src := img.Pix[img.PixOffset(0, y0+y):]
			dst := data[y*w*4:]
			for x := range w {
				s := src[x*4 : x*4+4]
				v := p.pixel(color.RGBA{s[0], s[1], s[2], 255})
				if msb {
					dst[x*4], dst[x*4+1], dst[x*4+2], dst[x*4+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
				} else {
					dst[x*4], dst[x*4+1], dst[x*4+2], dst[x*4+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
				}
			}
		}
		xproto.PutImage(p.conn, xproto.ImageFormatZPixmap, d, p.gc, uint16(w), uint16(n), 0, int16(y0), 0, 24, data)
	}
	return nil
}

// Bounds is the screen area the pattern covers, (0,0) to the root's size.
func (p *Pattern) Bounds() image.Rectangle { return p.bounds }

// Tile is the column of tile n, counted from 1 as on screen.
func (p *Pattern) Tile(n int) image.Rectangle {
	if n < 1 || n > p.tiles {
		return image.Rectangle{}
	}
	return tileRect(n-1, p.tiles, p.bounds.Dx(), p.bounds.Dy())
}

// Fill paints r (clipped to the screen) in c, ignoring alpha, and returns once
// the X server has processed it.
func (p *Pattern) Fill(r image.Rectangle, c color.RGBA) error {
	r = r.Intersect(p.bounds)
	if r.Empty() {
		return nil
	}
	xproto.ChangeGC(p.conn, p.gc, xproto.GcForeground, []uint32{p.pixel(c)})
	xproto.PolyFillRectangle(p.conn, xproto.Drawable(p.shown), p.gc, []xproto.Rectangle{xrect(r)})
	if err := p.show(r); err != nil {
		return fmt.Errorf("testpattern: fill %v on %s: %w", r, p.display, err)
	}
	return nil
}

// Picture is an image kept by the X server (a pixmap), to be shown in one
// quick copy.
type Picture struct {
	pixmap xproto.Pixmap
	size   image.Point
}

// Upload gives img to the X server, which keeps it until the pattern closes.
func (p *Pattern) Upload(img *image.RGBA) (Picture, error) {
	pic := Picture{size: img.Rect.Size()}
	if pic.size.X <= 0 || pic.size.Y <= 0 || pic.size.X > 32767 || pic.size.Y > 32767 {
		return pic, fmt.Errorf("testpattern: upload a %v image: too big or empty", pic.size)
	}
	var err error
	if pic.pixmap, err = xproto.NewPixmapId(p.conn); err != nil {
		return pic, err
	}
	setup := xproto.Setup(p.conn)
	root := xproto.Drawable(setup.DefaultScreen(p.conn).Root)
	if err := xproto.CreatePixmapChecked(p.conn, 24, pic.pixmap, root, uint16(pic.size.X), uint16(pic.size.Y)).Check(); err != nil {
		return pic, fmt.Errorf("testpattern: create %v pixmap: %w", pic.size, err)
	}
	if img.Rect.Min != (image.Point{}) {
		shifted := *img // Pix starts at Min either way
		shifted.Rect = image.Rectangle{Max: pic.size}
		img = &shifted
	}
	if err := p.put(xproto.Drawable(pic.pixmap), img, setup); err != nil {
		return pic, err
	}
	return pic, p.sync()
}

// Show puts pic on screen with its top left corner at at (clipped to the
// screen) and returns once the X server has drawn it.
func (p *Pattern) Show(pic Picture, at image.Point) error {
	r := image.Rectangle{at, at.Add(pic.size)}.Intersect(p.bounds)
	if r.Empty() {
		return nil
	}
	src := r.Min.Sub(at)
	xproto.CopyArea(p.conn, xproto.Drawable(pic.pixmap), xproto.Drawable(p.shown), p.gc,
		int16(src.X), int16(src.Y), int16(r.Min.X), int16(r.Min.Y), uint16(r.Dx()), uint16(r.Dy()))
	if err := p.show(r); err != nil {
		return fmt.Errorf("testpattern: show %v on %s: %w", r, p.display, err)
	}
	return nil
}

// sync returns once the X server has processed every request sent before it.
func (p *Pattern) sync() error {
	if _, err := xproto.GetInputFocus(p.conn).Reply(); err != nil {
		return err
	}
	if e := p.asyncErr.Load(); e != nil {
		return fmt.Errorf("testpattern: an earlier request failed: %w", *e)
	}
	return nil
}

// Restore puts the original pattern back in r (clipped to the screen) and
// returns once the X server has processed it.
func (p *Pattern) Restore(r image.Rectangle) error {
	r = r.Intersect(p.bounds)
	if r.Empty() {
		return nil
	}
	x := xrect(r)
	xproto.CopyArea(p.conn, xproto.Drawable(p.orig), xproto.Drawable(p.shown), p.gc, x.X, x.Y, x.X, x.Y, x.Width, x.Height)
	if err := p.show(r); err != nil {
		return fmt.Errorf("testpattern: restore %v on %s: %w", r, p.display, err)
	}
	return nil
}

// Scroll shows r (clipped to the screen) scrolled up by dy pixels of the
// original pattern, wrapping around (as text scrolls past), and returns once
// the X server has drawn it. Every pixel of r changes: for the encoder it is
// full motion.
func (p *Pattern) Scroll(r image.Rectangle, dy int) error {
	r = r.Intersect(p.bounds)
	if r.Empty() {
		return nil
	}
	h := r.Dy()
	dy = ((dy % h) + h) % h
	x := xrect(r)
	// The rows from dy to the bottom go to the top, the first dy rows below them.
	xproto.CopyArea(p.conn, xproto.Drawable(p.orig), xproto.Drawable(p.shown), p.gc, x.X, x.Y+int16(dy), x.X, x.Y, x.Width, uint16(h-dy))
	if dy > 0 {
		xproto.CopyArea(p.conn, xproto.Drawable(p.orig), xproto.Drawable(p.shown), p.gc, x.X, x.Y, x.X, x.Y+int16(h-dy), x.Width, uint16(dy))
	}
	if err := p.show(r); err != nil {
		return fmt.Errorf("testpattern: scroll %v on %s: %w", r, p.display, err)
	}
	return nil
}

// show repaints r of the window from its background pixmap. ClearArea is
// checked, which costs a round trip: when show returns, the server has
// drawn everything sent before it.
func (p *Pattern) show(r image.Rectangle) error {
	x := xrect(r)
	if err := xproto.ClearAreaChecked(p.conn, false, p.win, x.X, x.Y, x.Width, x.Height).Check(); err != nil {
		return err
	}
	if e := p.asyncErr.Load(); e != nil {
		return fmt.Errorf("an earlier request failed: %w", *e)
	}
	return nil
}

// Close removes the window and disconnects. It may be called more than once.
func (p *Pattern) Close() error {
	p.closeOnce.Do(func() {
		p.conn.Close() // the server frees the window, pixmaps and GC
		<-p.drained
	})
	return nil
}

// drain reads events and errors until the connection closes: xgb stops
// delivering replies when its event queue is full. The window selects no
// events, so only errors of unchecked requests arrive here.
func (p *Pattern) drain() {
	defer close(p.drained)
	x11.Drain(p.conn, nil, func(xerr xgb.Error) {
		err := error(xerr)
		p.asyncErr.CompareAndSwap(nil, &err)
	})
}

func xrect(r image.Rectangle) xproto.Rectangle {
	return xproto.Rectangle{X: int16(r.Min.X), Y: int16(r.Min.Y), Width: uint16(r.Dx()), Height: uint16(r.Dy())}
}

func bitsPerPixel(setup *xproto.SetupInfo, depth byte) int {
	for _, f := range setup.PixmapFormats {
		if f.Depth == depth {
			return int(f.BitsPerPixel)
		}
	}
	return 0
}

func visual(screen *xproto.ScreenInfo) *xproto.VisualInfo {
	for _, d := range screen.AllowedDepths {
		for i := range d.Visuals {
			if d.Visuals[i].VisualId == screen.RootVisual {
				return &d.Visuals[i]
			}
		}
	}
	return nil
}

// pixelFunc maps a colour to a pixel value of a TrueColor visual.
func pixelFunc(v *xproto.VisualInfo) func(color.RGBA) uint32 {
	place := func(c uint8, mask uint32) uint32 {
		if mask == 0 {
			return 0
		}
		shift := 0
		for mask>>shift&1 == 0 {
			shift++
		}
		bits := 0
		for mask>>(shift+bits)&1 == 1 {
			bits++
		}
		return (uint32(c) >> max(0, 8-bits) << shift) & mask
	}
	return func(c color.RGBA) uint32 {
		return place(c.R, v.RedMask) | place(c.G, v.GreenMask) | place(c.B, v.BlueMask)
	}
}

package primary

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xproto"

	"dream/inputd/config"
	"dream/inputd/server"
	"dream/internal/keysym"
	"dream/internal/rawinput"
	"dream/internal/selection"
	"dream/internal/x11"
	"dream/proto/synergy"
)

// Config configures a Primary.
type Config struct {
	Display string         // this machine's X display; "" is $DISPLAY
	Name    string         // this screen's name in Screens
	Screens *config.Config // the layout: links and hotkeys
	Server  *server.Server // where the other screens are connected
	Log     *slog.Logger
}

// Primary watches this machine's keyboard and mouse and hands them to the
// screen the pointer is on.
type Primary struct {
	cfg     Config
	name    string
	log     *slog.Logger
	hotkeys []hotkey

	// Run's, and only Run's.
	conn       *xgb.Conn
	root       xproto.Window
	here       rect
	km         *keysym.XMap
	active     string // the screen with the keyboard and pointer; "" is here
	vx, vy     int    // the pointer on the active screen
	fx, fy     float64
	state      uint16          // modifiers and buttons, from the latest X event
	held       map[byte]uint16 // keys pressed on the active screen: keycode → key ID sent
	swallow    map[byte]bool   // hotkeys' keys, whose releases go nowhere
	buttons    int             // buttons held on the active screen
	events     chan xgb.Event  // from the X connection
	repeatWait *time.Timer     // see repeatPair
	moved      chan struct{}   // raw motion is waiting in mdx, mdy
	mmu        sync.Mutex
	mdx        float64
	mdy        float64
	rawErr     chan error

	// Clipboards (CLIPBOARD and PRIMARY): the latest text of each, and what
	// each screen, this one too, holds as far as we know.
	sel        *selection.X
	clip       [2]string
	holds      map[holder]*[2]string
	localClips chan server.Clipboard // this machine's selections, read as they change
}

// New checks cfg: this screen must be in the configuration, and every hotkey
// must be one dreaminput can do.
func New(cfg Config) (*Primary, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	name := cfg.Screens.Canonical(cfg.Name)
	if name == "" {
		return nil, fmt.Errorf("this screen, %q, is not in the configuration's screens section (add it, or give its name with --name)", cfg.Name)
	}
	p := &Primary{cfg: cfg, name: name, log: log}
	for _, h := range cfg.Screens.Hotkeys {
		k, err := parseHotkey(h)
		if err != nil {
			return nil, err
		}
		p.hotkeys = append(p.hotkeys, k)
	}
	return p, nil
}

// Run watches the display until ctx ends; then the keyboard and pointer are
// this machine's again.
func (p *Primary) Run(ctx context.Context) error {
	conn, display, err := x11.Dial(p.cfg.Display)
	if err != nil {
		return err
	}
	p.conn = conn
	p.log = p.log.With("display", display)
	screen := xproto.Setup(conn).DefaultScreen(conn)
	p.root = screen.Root
	p.here = rect{0, 0, int(screen.WidthInPixels), int(screen.HeightInPixels)}
	p.events = make(chan xgb.Event, 1024)
	p.repeatWait = time.NewTimer(time.Hour)
	p.repeatWait.Stop()
	p.moved = make(chan struct{}, 1)
	p.rawErr = make(chan error, 1)
	p.held = map[byte]uint16{}
	p.swallow = map[byte]bool{}

	var wg sync.WaitGroup
	defer wg.Wait()
	done := make(chan struct{})
	defer close(done)
	defer conn.Close()
	wg.Add(1)
	go func() {
		defer wg.Done()
		x11.Drain(conn, func(ev xgb.Event) {
			select {
			case p.events <- ev:
			case <-done:
			}
		}, func(xerr xgb.Error) { p.log.Debug("X error", "err", xerr) })
	}()
	if err := xfixes.Init(conn); err != nil {
		return fmt.Errorf("display %s has no XFIXES: %w", display, err)
	}
	if _, err := xfixes.QueryVersion(conn, 4, 0).Reply(); err != nil {
		return fmt.Errorf("display %s: XFIXES: %w", display, err)
	}
	if p.km, err = keysym.OpenX(display); err != nil {
		return err
	}
	defer p.km.Close()
	raw, err := rawinput.Open(display)
	if err != nil {
		return err
	}
	defer raw.Close() // before wg.Wait: wakes the reader
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.readRaw(raw)
	}()
	if p.sel, err = selection.Open(display); err != nil {
		return err
	}
	defer p.sel.Close()
	p.holds = map[holder]*[2]string{}
	p.localClips = make(chan server.Clipboard, 2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.readSelections(done)
	}()
	// The root's ConfigureNotify says when the screen changes size (RandR).
	xproto.ChangeWindowAttributes(conn, p.root, xproto.CwEventMask, []uint32{xproto.EventMaskStructureNotify})
	p.grabHotkeys()
	defer p.goHome(-1, -1)
	p.log.Info("watching the keyboard and mouse", "screen", p.name, "width", p.here.w, "height", p.here.h)

	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-p.rawErr:
			return err
		case <-p.moved:
			p.motion()
		case ev := <-p.events:
			p.event(ev)
		case c := <-p.localClips:
			p.clipboardFrom(c)
		case c := <-p.cfg.Server.Clipboards():
			p.clipboardFrom(c)
		case <-tick.C:
			p.checkActive()
		}
	}
}

// readRaw adds raw motion up for the loop; it never waits for the loop.
func (p *Primary) readRaw(raw *rawinput.Watcher) {
	for {
		dx, dy, err := raw.Next()
		if err != nil {
			if !errors.Is(err, rawinput.ErrClosed) {
				p.rawErr <- err
			}
			return
		}
		p.mmu.Lock()
		p.mdx += dx
		p.mdy += dy
		p.mmu.Unlock()
		select {
		case p.moved <- struct{}{}:
		default:
		}
	}
}

// motion handles the raw motion gathered since the last call.
func (p *Primary) motion() {
	p.mmu.Lock()
	p.fx += p.mdx
	p.fy += p.mdy
	p.mdx, p.mdy = 0, 0
	p.mmu.Unlock()
	dx, dy := int(math.Trunc(p.fx)), int(math.Trunc(p.fy))
	p.fx -= float64(dx)
	p.fy -= float64(dy)
	if dx == 0 && dy == 0 {
		return
	}
	if p.active == "" {
		p.motionHere(dx, dy)
	} else {
		p.motionThere(dx, dy)
	}
}

// motionHere looks for the pointer pushed against a linked edge of this screen.
func (p *Primary) motionHere(dx, dy int) {
	ptr, err := xproto.QueryPointer(p.conn, p.root).Reply()
	if err != nil {
		return
	}
	if ptr.Mask&xButtons != 0 {
		return // dragging: stay
	}
	x, y := int(ptr.RootX), int(ptr.RootY)
	switch {
	case x == 0 && dx < 0:
		x = -1
	case x == p.here.w-1 && dx > 0:
		x = p.here.w
	case y == 0 && dy < 0:
		y = -1
	case y == p.here.h-1 && dy > 0:
		y = p.here.h
	}
	if dir, pos, out := beyond(p.here, x, y); out {
		p.cross(p.name, dir, pos, ptr.Mask)
	}
}

// motionThere moves the pointer on the active screen, or on past its edge.
func (p *Primary) motionThere(dx, dy int) {
	r, ok := p.shape(p.active)
	if !ok {
		p.checkActive()
		return
	}
	nx, ny := p.vx+dx, p.vy+dy
	if dir, pos, out := beyond(r, nx, ny); out && p.buttons == 0 {
		if p.cross(p.active, dir, pos, p.state) {
			return
		}
	}
	nx, ny = clamp(nx, r.x, r.x+r.w-1), clamp(ny, r.y, r.y+r.h-1)
	if nx == p.vx && ny == p.vy {
		return
	}
	p.vx, p.vy = nx, ny
	p.cfg.Server.Move(nx, ny)
}

// cross moves from screen from through its edge dir, at pos along it, to the
// neighbour the configuration links there. It reports whether it did.
func (p *Primary) cross(from string, dir config.Direction, pos float64, state uint16) bool {
	to, tpos, ok := p.cfg.Screens.Neighbour(from, dir, pos)
	if !ok {
		return false
	}
	return p.switchTo(to, func(r rect) (int, int) { return entry(r, dir, tpos) }, state)
}

// shape is a screen's area: this one's, or a connected one's as it said.
func (p *Primary) shape(name string) (rect, bool) {
	if name == p.name {
		return p.here, true
	}
	s, ok := p.cfg.Server.Shape(name)
	return rect{s.X, s.Y, s.Width, s.Height}, ok && s.Width > 0 && s.Height > 0
}

// switchTo gives the keyboard and pointer to screen to, at the place place
// picks on it. It reports false, and nothing changes, when to is not
// connected or this machine's input cannot be grabbed.
func (p *Primary) switchTo(to string, place func(rect) (int, int), state uint16) bool {
	to = p.cfg.Screens.Canonical(to)
	if to == p.active || to == "" {
		return false
	}
	r, ok := p.shape(to)
	if !ok {
		p.log.Debug("not switching: screen not connected", "to", to)
		return false
	}
	x, y := place(r)
	if to == p.name {
		p.goHome(x, y)
		return true
	}
	if p.active == "" {
		if err := p.grab(); err != nil {
			p.log.Warn("not switching", "to", to, "err", err)
			return false
		}
	}
	if err := p.cfg.Server.Enter(to, x, y, synergy.MaskFromX(state)); err != nil {
		p.log.Warn("not switching", "to", to, "err", err)
		if p.active == "" {
			p.ungrab()
		}
		return false
	}
	p.log.Info("keyboard and mouse to", "screen", to, "x", x, "y", y)
	p.active, p.vx, p.vy = to, x, y
	p.offerClipboards()
	p.fx, p.fy = 0, 0
	clear(p.held)
	p.buttons = 0
	return true
}

// goHome takes the keyboard and pointer back from the active screen and puts
// the pointer at x, y here (x < 0: where it is).
func (p *Primary) goHome(x, y int) {
	if p.active == "" {
		return
	}
	p.cfg.Server.Leave()
	p.ungrab()
	if x >= 0 {
		xproto.WarpPointer(p.conn, 0, p.root, 0, 0, 0, 0, int16(x), int16(y))
	}
	p.log.Info("keyboard and mouse back", "screen", p.name, "x", x, "y", y)
	p.active = ""
	clear(p.swallow) // their releases now go to this machine's programs
	p.offerClipboards()
	p.fx, p.fy = 0, 0
	clear(p.held)
	p.buttons = 0
}

// checkActive brings the keyboard and pointer home when the screen that had
// them went away.
func (p *Primary) checkActive() {
	if p.active != "" && p.cfg.Server.Active() != p.active {
		p.log.Warn("the screen with the keyboard and mouse went away", "screen", p.active)
		cx, cy := p.here.centre()
		p.goHome(cx, cy)
	}
}

// grab takes this machine's keyboard and pointer and hides the cursor.
func (p *Primary) grab() error {
	pg, err := xproto.GrabPointer(p.conn, false, p.root, xproto.EventMaskButtonPress|xproto.EventMaskButtonRelease,
		xproto.GrabModeAsync, xproto.GrabModeAsync, 0, 0, xproto.TimeCurrentTime).Reply()
	if err != nil {
		return fmt.Errorf("grab the pointer: %w", err)
	}
	if pg.Status != xproto.GrabStatusSuccess {
		return fmt.Errorf("the pointer is grabbed by another program (status %d)", pg.Status)
	}
	kg, err := xproto.GrabKeyboard(p.conn, false, p.root, xproto.TimeCurrentTime, xproto.GrabModeAsync, xproto.GrabModeAsync).Reply()
	if err != nil || kg.Status != xproto.GrabStatusSuccess {
		xproto.UngrabPointer(p.conn, xproto.TimeCurrentTime)
		if err != nil {
			return fmt.Errorf("grab the keyboard: %w", err)
		}
		return fmt.Errorf("the keyboard is grabbed by another program (status %d)", kg.Status)
	}
	xfixes.HideCursor(p.conn, p.root)
	cx, cy := p.here.centre()
	xproto.WarpPointer(p.conn, 0, p.root, 0, 0, 0, 0, int16(cx), int16(cy))
	return nil
}

func (p *Primary) ungrab() {
	xproto.UngrabKeyboard(p.conn, xproto.TimeCurrentTime)
	xproto.UngrabPointer(p.conn, xproto.TimeCurrentTime)
	xfixes.ShowCursor(p.conn, p.root)
}

package capture

import (
	"errors"
	"fmt"
	"image"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/damage"
	"github.com/jezek/xgb/shm"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xproto"

	"dream/internal/x11"
)

var (
	// ErrMissingExtension is returned by Open when the X server lacks
	// MIT-SHM, DAMAGE or XFIXES; the error names which.
	ErrMissingExtension = errors.New("X extension missing")
	// ErrDisplayLost is Err's reason (and Dirty's and Grab's) once the
	// connection to the X server has broken.
	ErrDisplayLost = errors.New("connection to the X server lost")
	// ErrClosed is returned by a Source or Grabber used after Close.
	ErrClosed = errors.New("capture source closed")
)

// extMu serialises extension initialisation: xgb records each extension's
// event and error numbers in package-level maps without a lock.
var extMu sync.Mutex

// Config says which display to capture. The zero value captures $DISPLAY
// without logging.
type Config struct {
	// Display is the X display name (":7"); "" means $DISPLAY.
	Display string
	// Log receives lifecycle events and X errors (Debug); nil discards.
	Log *slog.Logger
}

// Source is a connection to an X display that reports damage and hands out
// Grabbers. Its methods are safe for concurrent use.
type Source struct {
	conn    *xgb.Conn
	display string
	log     *slog.Logger
	root    xproto.Window
	w, h    int

	dmg     damage.Damage
	region  xfixes.Region // reused by every Dirty
	dirtyMu sync.Mutex    // one Subtract+FetchRegion at a time
	seq     sequence

	// notifyMu orders the event loop's signals against Dirty's Subtract:
	// a DamageNotify the server sent before the last Subtract is stale
	// (that Subtract collected its damage) and must not signal Damaged.
	notifyMu   sync.Mutex
	subtracted int64         // widened sequence number of the last Subtract
	pendingSeq int64         // widened sequence number of the notify behind the token in damaged
	damaged    chan struct{} // capacity 1
	done       chan struct{} // closed when the event loop ends
	err        error         // set before done is closed
	closing    atomic.Bool

	grabMu   sync.Mutex
	grabbers map[*Grabber]struct{}

	closeOnce sync.Once
}

// Open connects to the display, checks the extensions capture needs, and
// starts watching the root window for damage.
func Open(cfg Config) (*Source, error) {
	conn, display, err := x11.Dial(cfg.Display)
	if err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "capture", "display", display)
	s := &Source{
		conn:     conn,
		display:  display,
		log:      log,
		damaged:  make(chan struct{}, 1),
		done:     make(chan struct{}),
		grabbers: make(map[*Grabber]struct{}),
	}
	go s.events() // from the start: a full event queue blocks every reply
	if err := s.setup(); err != nil {
		s.Close()
		return nil, fmt.Errorf("capture: display %s: %w", display, err)
	}
	log.Debug("capturing", "size", fmt.Sprintf("%dx%d", s.w, s.h))
	return s, nil
}

// setup checks the extensions and the pixel format and creates the damage
// object and the region Dirty reuses.
func (s *Source) setup() error {
	extMu.Lock()
	for _, ext := range []struct {
		name string
		init func(*xgb.Conn) error
	}{{"MIT-SHM", shm.Init}, {"XFIXES", xfixes.Init}, {"DAMAGE", damage.Init}} {
		if err := ext.init(s.conn); err != nil {
			extMu.Unlock()
			return fmt.Errorf("%w: %s (%v); dream needs a local X server with MIT-SHM, DAMAGE and XFIXES, as Xvfb and Xorg have", ErrMissingExtension, ext.name, err)
		}
	}
	extMu.Unlock()

	if _, err := shm.QueryVersion(s.conn).Reply(); err != nil {
		return fmt.Errorf("MIT-SHM QueryVersion: %w", err)
	}
	// XFIXES before DAMAGE: DAMAGE's Subtract takes XFIXES regions.
	if _, err := xfixes.QueryVersion(s.conn, 5, 0).Reply(); err != nil {
		return fmt.Errorf("XFIXES QueryVersion: %w", err)
	}
	if _, err := damage.QueryVersion(s.conn, 1, 1).Reply(); err != nil {
		return fmt.Errorf("DAMAGE QueryVersion: %w", err)
	}

	setup := xproto.Setup(s.conn)
	screen := setup.DefaultScreen(s.conn)
	s.root = screen.Root
	s.w, s.h = int(screen.WidthInPixels), int(screen.HeightInPixels)
	bpp := 0
	for _, f := range setup.PixmapFormats {
		if f.Depth == screen.RootDepth {
			bpp = int(f.BitsPerPixel)
		}
	}
	if screen.RootDepth != 24 || bpp != 32 {
		return fmt.Errorf("root depth %d at %d bits per pixel: only depth 24 at 32 bpp is supported (start the X server with a 24-bit screen, e.g. Xvfb -screen 0 1920x1080x24)",
			screen.RootDepth, bpp)
	}

	var err error
	if s.region, err = xfixes.NewRegionId(s.conn); err != nil {
		return fmt.Errorf("allocate region id: %w", err)
	}
	if err := xfixes.CreateRegionChecked(s.conn, s.region, nil).Check(); err != nil {
		return fmt.Errorf("create region: %w", err)
	}
	if s.dmg, err = damage.NewDamageId(s.conn); err != nil {
		return fmt.Errorf("allocate damage id: %w", err)
	}
	// The server reports the whole window damaged on creation: the first
	// Dirty returns the whole screen.
	create := damage.CreateChecked(s.conn, s.dmg, xproto.Drawable(s.root), damage.ReportLevelNonEmpty)
	s.seq.sent(create.Sequence)
	if err := create.Check(); err != nil {
		return fmt.Errorf("create damage on the root window: %w", err)
	}
	return nil
}

// Size is the screen size in pixels, as it was at Open.
func (s *Source) Size() (w, h int) { return s.w, s.h }

// Bounds is the screen rectangle, (0,0) to Size.
func (s *Source) Bounds() image.Rectangle { return image.Rect(0, 0, s.w, s.h) }

// Damaged is signalled (capacity 1, never blocks the X connection) when the
// screen changes after a Dirty call. It may fire without new damage; Dirty
// then returns no rectangles.
func (s *Source) Damaged() <-chan struct{} { return s.damaged }

// Done is closed when the connection to the X server ends: the server went
// away (Err says so) or Close was called.
func (s *Source) Done() <-chan struct{} { return s.done }

// failed turns a failed request into the error to return. A request fails first
// when the server goes away, a moment before the event reader notices: wait that
// moment, so the caller hears that the display is lost rather than "EOF".
func (s *Source) failed(op string, err error) error {
	t := time.NewTimer(200 * time.Millisecond)
	defer t.Stop()
	select {
	case <-s.done:
		return s.err
	case <-t.C:
		return fmt.Errorf("capture: display %s: %s: %w", s.display, op, err)
	}
}

// Err says why Done was closed: an error wrapping ErrDisplayLost that names
// the display, or ErrClosed after Close. It is nil while Done is open.
func (s *Source) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// events drains the X connection for as long as it lives: DamageNotify
// signals Damaged, X errors of unchecked requests are logged.
func (s *Source) events() {
	x11.Drain(s.conn, func(ev xgb.Event) {
		if n, ok := ev.(damage.NotifyEvent); ok {
			s.notify(s.seq.widen(n.Sequence))
		}
	}, func(xerr xgb.Error) { s.log.Debug("X error", "err", xerr) })
	if s.closing.Load() {
		s.err = ErrClosed
	} else {
		s.err = fmt.Errorf("capture: display %s: %w (did the X server exit?)", s.display, ErrDisplayLost)
		s.log.Warn("X connection lost")
	}
	close(s.done)
}

// notify signals Damaged for a DamageNotify sent after request seq, unless
// a Subtract since then has already collected its damage.
func (s *Source) notify(seq int64) {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	if seq < s.subtracted {
		return
	}
	s.pendingSeq = max(s.pendingSeq, seq)
	select {
	case s.damaged <- struct{}{}:
	default:
	}
}

// subtract records that a Subtract went out as request seq, and withdraws
// a pending Damaged signal that only stood for damage it collects.
func (s *Source) subtract(seq int64) {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	s.subtracted = seq
	if s.pendingSeq < seq {
		select {
		case <-s.damaged:
		default:
		}
	}
}

// Close closes any Grabbers still open and disconnects; the X server frees
// the damage object and region. Call it after every Grab has returned. It may
// be called more than once.
func (s *Source) Close() error {
	s.closeOnce.Do(func() {
		s.grabMu.Lock()
		open := make([]*Grabber, 0, len(s.grabbers))
		for g := range s.grabbers {
			open = append(open, g)
		}
		s.grabMu.Unlock()
		for _, g := range open {
			g.Close()
		}
		s.closing.Store(true)
		s.conn.Close()
		<-s.done
	})
	return nil
}

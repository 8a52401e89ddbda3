package inject

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"

	"dream/internal/x11"
)

var (
	// ErrBadInput is returned, before anything reaches the X server, for
	// keysym 0, a button outside 1..9 and text with control characters or
	// invalid UTF-8.
	ErrBadInput = errors.New("bad input")
	// ErrMissingExtension is returned by Open when the X server lacks XTEST.
	ErrMissingExtension = errors.New("X extension missing")
	// ErrNoSpareKeycode is returned when a keysym the keymap lacks must be
	// bound but every spare keycode is held down.
	ErrNoSpareKeycode = errors.New("no spare keycode")
	// ErrTimeout is returned when the X server does not answer within 5 s
	// (stopped, or grabbed by another client). Nothing of the call was sent:
	// the same call may be made again. Its Timeout method says true.
	ErrTimeout error = timeoutError{}
	// ErrDisplayLost is returned once the connection to the X server broke.
	ErrDisplayLost = errors.New("connection to the X server lost")
	// ErrClosed is returned by an Injector or Client used after Close.
	ErrClosed = errors.New("injector closed")
)

type timeoutError struct{}

func (timeoutError) Error() string { return "X server did not answer" }
func (timeoutError) Timeout() bool { return true }

// replyTimeout bounds every wait for the X server.
const replyTimeout = 5 * time.Second

// extMu serialises extension initialisation: xgb records each extension's
// numbers in package-level maps without a lock.
var extMu sync.Mutex

// Config says which display to drive. The zero value drives $DISPLAY without
// logging.
type Config struct {
	// Display is the X display name (":7"); "" means $DISPLAY.
	Display string
	// Log receives lifecycle events and X errors (Debug); nil discards.
	Log *slog.Logger
}

// Injector owns one X connection and applies input to it with XTEST. Its
// methods, and its Clients', are safe for concurrent use: one mutex
// serialises everything that reaches the server.
type Injector struct {
	conn    *xgb.Conn
	display string
	log     *slog.Logger
	root    xproto.Window
	w, h    int

	// spareSet is the pool of spare keycodes, fixed at Open. The event
	// loop reads it through ownSpares.
	spareSet  map[xproto.Keycode]bool
	ownSpares atomic.Pointer[map[xproto.Keycode]bool]
	stale     atomic.Bool // another client changed the keymap: reload it

	mu      sync.Mutex
	km      *keymap
	spares  []spare                // LRU order: least recently used first
	holds   map[xproto.Keycode]int // clients holding each keycode
	down    map[xproto.Keycode]bool
	buttons [maxButton + 1]int // clients holding each button
	// adjusted is the key last pressed with Shift or level 3 changed from
	// what the clients hold; the change stays while it is down, so that the
	// server's autorepeat repeats the right symbol.
	adjusted xproto.Keycode
	pending  bool // requests sent since the last sync
	closed   bool

	done    chan struct{} // closed when the event loop ends
	err     error         // set before done is closed
	closing atomic.Bool
	waiters sync.WaitGroup // goroutines waiting for replies
	once    sync.Once
}

// Open connects to the display, checks XTEST and reads the keymap.
func Open(cfg Config) (*Injector, error) {
	conn, display, err := x11.Dial(cfg.Display)
	if err != nil {
		return nil, fmt.Errorf("inject: %w", err)
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "inject", "display", display)
	in := &Injector{
		conn:    conn,
		display: display,
		log:     log,
		holds:   make(map[xproto.Keycode]int),
		down:    make(map[xproto.Keycode]bool),
		done:    make(chan struct{}),
	}
	go in.events() // from the start: a full event queue blocks every reply
	if err := in.setup(); err != nil {
		in.Close()
		return nil, fmt.Errorf("inject: display %s: %w", display, err)
	}
	log.Debug("injecting", "size", fmt.Sprintf("%dx%d", in.w, in.h), "spare_keycodes", len(in.spares))
	return in, nil
}

func (in *Injector) setup() error {
	extMu.Lock()
	err := xtest.Init(in.conn)
	extMu.Unlock()
	if err != nil {
		return fmt.Errorf("%w: XTEST (%v); dream injects input with XTEST, which Xvfb and Xorg have unless started with -extension XTEST", ErrMissingExtension, err)
	}
	if err := in.await("XTEST GetVersion", func() error {
		_, err := xtest.GetVersion(in.conn, 2, 2).Reply()
		return err
	}); err != nil {
		return err
	}
	screen := xproto.Setup(in.conn).DefaultScreen(in.conn)
	in.root = screen.Root
	in.w, in.h = int(screen.WidthInPixels), int(screen.HeightInPixels)

	km, err := in.loadKeymap()
	if err != nil {
		return err
	}
	in.km = km
	in.spareSet = make(map[xproto.Keycode]bool)
	for _, kc := range km.spareKeycodes(maxSpares) {
		in.spareSet[kc] = true
		in.spares = append(in.spares, spare{kc: kc})
	}
	in.ownSpares.Store(&in.spareSet)
	return nil
}

// Size is the screen size in pixels, as it was at Open.
func (in *Injector) Size() (w, h int) { return in.w, in.h }

// Pointer is where the pointer is, in root coordinates.
func (in *Injector) Pointer() (x, y int, err error) {
	var r *xproto.QueryPointerReply
	err = in.await("QueryPointer", func() (err error) {
		r, err = xproto.QueryPointer(in.conn, in.root).Reply()
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	return int(r.RootX), int(r.RootY), nil
}

// NewClient returns the keyboard and mouse of one viewer.
func (in *Injector) NewClient() *Client {
	return &Client{in: in, keys: make(map[uint32]xproto.Keycode)}
}

// Close releases every key and button still down, restores the spare
// keycodes it bound to NoSymbol, and disconnects. It may be called more than
// once; Clients then return ErrClosed.
func (in *Injector) Close() error {
	var err error
	in.once.Do(func() {
		in.mu.Lock()
		select {
		case <-in.done: // the server is gone: nothing to restore
		default:
			if in.km != nil { // Open got that far
				err = in.restore()
			}
		}
		in.closed = true
		in.mu.Unlock()
		in.closing.Store(true)
		in.conn.Close()
		<-in.done
		in.waiters.Wait()
	})
	return err
}

// restore releases what is down and unbinds the spare keycodes.
func (in *Injector) restore() error {
	for b := range in.buttons {
		if in.buttons[b] > 0 {
			in.fake(xproto.ButtonRelease, byte(b))
			in.buttons[b] = 0
		}
	}
	for kc := range in.down {
		in.fake(xproto.KeyRelease, byte(kc))
	}
	clear(in.down)
	clear(in.holds)
	var errs []error
	for i := range in.spares {
		if in.spares[i].ks != noSymbol {
			errs = append(errs, in.bind(in.spares[i].kc, noSymbol))
			in.spares[i].ks = noSymbol
		}
	}
	errs = append(errs, in.sync())
	return errors.Join(errs...)
}

// events drains the X connection for as long as it lives: X errors of
// unchecked requests are logged, MappingNotify from other clients marks the
// keymap stale.
func (in *Injector) events() {
	x11.Drain(in.conn, func(ev xgb.Event) {
		if n, ok := ev.(xproto.MappingNotifyEvent); ok && !in.ownMapping(n) {
			in.stale.Store(true)
		}
	}, func(xerr xgb.Error) { in.log.Debug("X error", "err", xerr) })
	if in.closing.Load() {
		in.err = ErrClosed
	} else {
		in.err = fmt.Errorf("inject: display %s: %w (did the X server exit?)", in.display, ErrDisplayLost)
		in.log.Warn("X connection lost")
	}
	close(in.done)
}

// ownMapping says whether n reports one of this Injector's own rebinds.
func (in *Injector) ownMapping(n xproto.MappingNotifyEvent) bool {
	own := in.ownSpares.Load()
	return own != nil && n.Request == xproto.MappingKeyboard && n.Count == 1 && (*own)[n.FirstKeycode]
}

// await runs a request's wait (Reply or Check) and gives up after
// replyTimeout, or when the connection breaks.
func (in *Injector) await(op string, wait func() error) error {
	errc := make(chan error, 1)
	in.waiters.Add(1)
	go func() {
		defer in.waiters.Done()
		errc <- wait()
	}()
	t := time.NewTimer(replyTimeout)
	defer t.Stop()
	select {
	case err := <-errc:
		if err == nil {
			return nil
		}
		return in.failed(op, err)
	case <-t.C:
		return fmt.Errorf("inject: display %s: %s: no answer in %v (is the X server stopped, or grabbed by another client?): %w",
			in.display, op, replyTimeout, ErrTimeout)
	}
}

// failed turns a failed request into the error to return. A request fails
// first when the server goes away, a moment before the event loop notices:
// wait that moment, so the caller hears that the display is lost.
func (in *Injector) failed(op string, err error) error {
	t := time.NewTimer(200 * time.Millisecond)
	defer t.Stop()
	select {
	case <-in.done:
		return in.err
	case <-t.C:
		return fmt.Errorf("inject: display %s: %s: %w", in.display, op, err)
	}
}

// sync waits until the server has handled every request sent so far, so
// that errors surface and the input has been delivered when a call returns.
func (in *Injector) sync() error {
	return in.await("sync", func() error {
		_, err := xproto.GetInputFocus(in.conn).Reply()
		return err
	})
}

// fake sends one XTEST event (unchecked; sync reports a broken connection,
// the event loop logs X errors).
func (in *Injector) fake(typ byte, detail byte) {
	xtest.FakeInput(in.conn, typ, detail, 0, in.root, 0, 0, 0)
	in.pending = true
}

// usable returns ErrClosed after Close. Call it with mu held.
func (in *Injector) usable() error {
	if in.closed {
		return ErrClosed
	}
	return nil
}

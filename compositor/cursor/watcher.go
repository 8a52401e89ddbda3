package cursor

import (
	"errors"
	"fmt"
	"image"
	"log/slog"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xproto"

	"dream/internal/x11"
	"dream/proto"
)

// ErrLost is returned once the X connection has broken.
var ErrLost = errors.New("connection to the X server lost")

// Config says which display to follow. The zero value follows $DISPLAY.
type Config struct {
	Display string
	Log     *slog.Logger
}

// Watcher follows one display's cursor. Its methods are safe for concurrent use.
type Watcher struct {
	conn    *xgb.Conn
	root    xproto.Window
	display string
	log     *slog.Logger
	changed chan struct{}
	done    chan struct{}

	mu         sync.Mutex
	shape      proto.Cursor
	shapeStale bool // a CursorNotify came since shape was read
	pos        image.Point
}

// Open connects to the display, reads the current cursor and starts following
// its changes.
func Open(cfg Config) (*Watcher, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	conn, display, err := x11.Dial(cfg.Display)
	if err != nil {
		return nil, fmt.Errorf("cursor: %w", err)
	}
	w := &Watcher{conn: conn, display: display, log: log.With("component", "cursor"),
		root: xproto.Setup(conn).DefaultScreen(conn).Root, changed: make(chan struct{}, 1), done: make(chan struct{})}
	go w.events() // from the start: xgb stalls when its event queue fills
	if err := xfixes.Init(conn); err != nil {
		w.Close()
		return nil, fmt.Errorf("cursor: display %s: XFIXES: %w", display, err)
	}
	if _, err := xfixes.QueryVersion(conn, 4, 0).Reply(); err != nil {
		w.Close()
		return nil, fmt.Errorf("cursor: display %s: XFIXES version: %w", display, err)
	}
	if err := xfixes.SelectCursorInputChecked(conn, w.root, xfixes.CursorNotifyMaskDisplayCursor).Check(); err != nil {
		w.Close()
		return nil, fmt.Errorf("cursor: display %s: follow cursor changes: %w", display, err)
	}
	if err := w.fetchShape(); err != nil {
		w.Close()
		return nil, err
	}
	if _, _, err := w.Update(); err != nil { // the position
		w.Close()
		return nil, err
	}
	return w, nil
}

// Update reads what changed since the last call: the image, after a cursor
// change event, and the position (QueryPointer). Changed signals when to call it;
// so does a timer, since X reports no pointer motion without being asked.
func (w *Watcher) Update() (shapeChanged, moved bool, err error) {
	w.mu.Lock()
	stale := w.shapeStale
	w.shapeStale = false
	w.mu.Unlock()
	if stale {
		if err := w.fetchShape(); err != nil {
			return false, false, err
		}
	}
	p, err := xproto.QueryPointer(w.conn, w.root).Reply()
	if err != nil {
		return stale, false, w.lost(err)
	}
	pt := image.Pt(int(p.RootX), int(p.RootY))
	w.mu.Lock()
	moved = pt != w.pos
	w.pos = pt
	w.mu.Unlock()
	return stale, moved, nil
}

// Changed is signalled (capacity 1) when the cursor's image changed or Poke was
// called: call Update.
func (w *Watcher) Changed() <-chan struct{} { return w.changed }

// Done is closed when the X connection ends.
func (w *Watcher) Done() <-chan struct{} { return w.done }

// Shape returns the current cursor image.
func (w *Watcher) Shape() proto.Cursor {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.shape
}

// Position returns where the pointer was at the last Update, in root coordinates.
func (w *Watcher) Position() image.Point {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pos
}

func (w *Watcher) fetchShape() error {
	r, err := xfixes.GetCursorImage(w.conn).Reply()
	if err != nil {
		return w.lost(err)
	}
	c := proto.Cursor{Serial: r.CursorSerial, Width: int(r.Width), Height: int(r.Height), HotX: int(r.Xhot), HotY: int(r.Yhot)}
	if c.Width > proto.MaxCursor || c.Height > proto.MaxCursor || len(r.CursorImage) < c.Width*c.Height {
		w.log.Debug("cursor too large to send", "width", c.Width, "height", c.Height)
		return nil
	}
	// XFixes gives premultiplied ARGB words; viewers want R, G, B, A bytes.
	c.Pixels = make([]byte, c.Width*c.Height*4)
	for i, px := range r.CursorImage[:c.Width*c.Height] {
		c.Pixels[i*4], c.Pixels[i*4+1], c.Pixels[i*4+2], c.Pixels[i*4+3] = byte(px>>16), byte(px>>8), byte(px), byte(px>>24)
	}
	w.mu.Lock()
	w.shape = c
	w.mu.Unlock()
	return nil
}

func (w *Watcher) events() {
	defer close(w.done)
	x11.Drain(w.conn, func(ev xgb.Event) {
		if _, ok := ev.(xfixes.CursorNotifyEvent); ok {
			// Fetched by Update, not here: a reply awaited on the event
			// goroutine would stall xgb if events piled up meanwhile.
			w.mu.Lock()
			w.shapeStale = true
			w.mu.Unlock()
			w.Poke()
		}
	}, nil)
}

// Poke signals Changed, so that the owner calls Update now (after moving the
// pointer itself, say) rather than at its next tick.
func (w *Watcher) Poke() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

func (w *Watcher) lost(err error) error {
	select {
	case <-w.done:
		return fmt.Errorf("cursor: display %s: %w", w.display, ErrLost)
	default:
		return fmt.Errorf("cursor: display %s: %w", w.display, err)
	}
}

// Close ends the connection.
func (w *Watcher) Close() error {
	w.conn.Close()
	<-w.done
	return nil
}

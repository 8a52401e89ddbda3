package keysym

import (
	"fmt"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"dream/internal/x11"
)

// XMap reads an X server's keyboard mapping and follows
// changes to it (setxkbmap, xmodmap, tools that bind spare keycodes).
type XMap struct {
	conn   *xgb.Conn
	min    int
	max    int
	done   chan struct{}
	mu     sync.Mutex
	per    int      // keysyms per keycode
	syms   []uint32 // (max-min+1)*per
	stale  bool     // a MappingNotify came since syms was read
	closed bool
}

// OpenX connects to display ("" means $DISPLAY) and reads its keymap.
func OpenX(display string) (*XMap, error) {
	conn, _, err := x11.Dial(display)
	if err != nil {
		return nil, fmt.Errorf("keyboard map: %w", err)
	}
	setup := xproto.Setup(conn)
	k := &XMap{conn: conn, min: int(setup.MinKeycode), max: int(setup.MaxKeycode), done: make(chan struct{})}
	go k.events() // from the start: xgb stalls when its event queue fills
	if err := k.load(); err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

// events notes MappingNotify (sent to every client without asking) until the
// connection closes.
func (k *XMap) events() {
	defer close(k.done)
	x11.Drain(k.conn, func(ev xgb.Event) {
		if _, ok := ev.(xproto.MappingNotifyEvent); ok {
			k.mu.Lock()
			k.stale = true
			k.mu.Unlock()
		}
	}, nil)
}

// load reads the whole mapping; k.mu is held or k is not shared yet.
func (k *XMap) load() error {
	r, err := xproto.GetKeyboardMapping(k.conn, xproto.Keycode(k.min), byte(k.max-k.min+1)).Reply()
	if err != nil {
		return fmt.Errorf("read the keyboard map: %w", err)
	}
	k.per = int(r.KeysymsPerKeycode)
	k.syms = k.syms[:0]
	for _, s := range r.Keysyms {
		k.syms = append(k.syms, uint32(s))
	}
	k.stale = false
	return nil
}

// Keysym returns the keysym keycode produces with the modifiers given, or 0.
func (k *XMap) Keysym(keycode int, shift, level3, caps bool) uint32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed || keycode < k.min || keycode > k.max {
		return 0
	}
	row := k.row(keycode)
	// A key with no symbols may have just been bound (as xdotool does for a
	// symbol the layout lacks), before its MappingNotify reached us: look again.
	if k.stale || allZero(row) {
		if err := k.load(); err != nil {
			return 0
		}
		row = k.row(keycode)
	}
	return Pick(row, shift, level3, caps)
}

func (k *XMap) row(keycode int) []uint32 {
	i := (keycode - k.min) * k.per
	if i+k.per > len(k.syms) {
		return nil
	}
	return k.syms[i : i+k.per]
}

func allZero(row []uint32) bool {
	for _, s := range row {
		if s != 0 {
			return false
		}
	}
	return true
}

// Close closes the connection.
func (k *XMap) Close() error {
	k.mu.Lock()
	k.closed = true
	k.mu.Unlock()
	k.conn.Close()
	<-k.done
	return nil
}

// Keycodes lists the keys that give sym at their first or shifted level.
func (k *XMap) Keycodes(sym uint32) []int {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stale {
		if err := k.load(); err != nil {
			return nil
		}
	}
	var out []int
	for kc := k.min; kc <= k.max; kc++ {
		row := k.row(kc)
		for i := 0; i < len(row) && i < 2; i++ {
			if row[i] == sym {
				out = append(out, kc)
				break
			}
		}
	}
	return out
}

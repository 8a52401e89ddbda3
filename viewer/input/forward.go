package input

import (
	"log/slog"
	"math"
	"sync"

	"dream/internal/keysym"
	"dream/proto"
)

// Sender is the viewer's connection (a client.Session).
type Sender interface {
	Send(m proto.Message) error
	Move(x, y int) error  // on the lossy channel: newest wins
	Place(x, y int) error // on the ordered channel, ahead of a click
}

// Keymap gives the keysym a key produces on this machine, for the modifiers
// held.
type Keymap interface {
	Keysym(keycode int, shift, level3, caps bool) uint32
}

var _ Keymap = (*keysym.XMap)(nil)

// Forwarder turns window events into proto messages. Its window calls it
// from one thread; Reset may come from another.
type Forwarder struct {
	send   Sender
	keymap Keymap
	log    *slog.Logger

	mu sync.Mutex // uncontended but at a reconnection

	held    map[int]uint32 // keycode → keysym sent with its press
	shift   int            // Shift keys held
	level3  int            // ISO_Level3_Shift (AltGr) keys held
	caps    bool
	scrollX float64 // remainders below 1/120 of a notch
	scrollY float64
	at      [2]int // the pointer's last position in the tile
	moved   bool   // at has not been placed on the ordered channel
}

// New returns a Forwarder sending to s, with keysyms from km.
func New(s Sender, km Keymap, log *slog.Logger) *Forwarder {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Forwarder{send: s, keymap: km, log: log, held: map[int]uint32{}}
}

// Keysyms of the modifiers the Forwarder follows.
const (
	xkShiftL         = 0xffe1
	xkShiftR         = 0xffe2
	xkCapsLock       = 0xffe5
	xkISOLevel3Shift = 0xfe03
	xkModeSwitch     = 0xff7e
)

// Key forwards a key press or release; keycode is the viewer's X keycode.
// Repeats are not forwarded: the desktop repeats a held key itself.
func (f *Forwarder) Key(keycode int, down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !down {
		sym, ok := f.held[keycode]
		if !ok {
			return // pressed before the window had focus
		}
		delete(f.held, keycode)
		f.track(sym, false)
		f.emit(proto.Key{Keysym: sym, Keycode: uint16(keycode)})
		return
	}
	if _, ok := f.held[keycode]; ok {
		return // a repeat
	}
	sym := f.keymap.Keysym(keycode, f.shift > 0, f.level3 > 0, f.caps)
	if sym == 0 {
		f.log.Debug("key without a keysym", "keycode", keycode)
		return
	}
	f.held[keycode] = sym
	f.track(sym, true)
	f.emit(proto.Key{Down: true, Keysym: sym, Keycode: uint16(keycode)})
}

func (f *Forwarder) track(sym uint32, down bool) {
	d := -1
	if down {
		d = 1
	}
	switch sym {
	case xkShiftL, xkShiftR:
		f.shift = max(0, f.shift+d)
	case xkISOLevel3Shift, xkModeSwitch:
		f.level3 = max(0, f.level3+d)
	case xkCapsLock:
		if down {
			f.caps = !f.caps
		}
	}
}

// Button forwards a mouse button, in X numbering (1 left, 2 middle, 3 right, 8
// back, 9 forward).
func (f *Forwarder) Button(button int, down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if button < 1 || button > 9 {
		return
	}
	f.place()
	f.emit(proto.Button{Down: down, Button: uint8(button)})
}

// place makes sure the desktop's pointer is where this one last was before a
// click or a scroll: motion travels on a lossy channel and could arrive late or
// not at all.
func (f *Forwarder) place() {
	if !f.moved {
		return
	}
	f.moved = false
	if err := f.send.Place(f.at[0], f.at[1]); err != nil {
		f.log.Debug("position not sent", "err", err)
	}
}

// Scroll forwards a wheel turn in notches (positive dy: towards the user, as X
// button 5), keeping fractions for the next turn.
func (f *Forwarder) Scroll(dx, dy float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scrollX += dx * 120
	f.scrollY += dy * 120
	ix, iy := math.Trunc(f.scrollX), math.Trunc(f.scrollY)
	if ix == 0 && iy == 0 {
		return
	}
	f.scrollX -= ix
	f.scrollY -= iy
	f.place()
	f.emit(proto.Wheel{DX: int16(max(-32768, min(32767, ix))), DY: int16(max(-32768, min(32767, iy)))})
}

// Pointer forwards the pointer's position in tile pixels.
func (f *Forwarder) Pointer(x, y int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.at, f.moved = [2]int{x, y}, true
	if err := f.send.Move(x, y); err != nil {
		f.log.Debug("motion not sent", "err", err)
	}
}

// PointerBy forwards a captured pointer's motion, in tile pixels.
func (f *Forwarder) PointerBy(dx, dy int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.moved = false // the desktop's pointer is where these moves put it
	f.emit(proto.MoveBy{DX: int16(max(-32768, min(32767, dx))), DY: int16(max(-32768, min(32767, dy)))})
}

// Jump asks for the pointer at the centre of the next (1) or previous (-1) tile.
func (f *Forwarder) Jump(dir int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.emit(proto.Jump{Dir: int8(max(-1, min(1, dir)))})
}

// Focus releases everything on the desktop when the window loses focus, so no
// key stays pressed there while the user types elsewhere.
func (f *Forwarder) Focus(focused bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if focused {
		return
	}
	clear(f.held)
	f.shift, f.level3 = 0, 0
	f.emit(proto.ReleaseAll{})
}

// Reset forgets what is held, for a new connection: the desktop released it
// all when the old one dropped, and a key let go meanwhile must not be sent
// as a release to a desktop that never saw it pressed.
func (f *Forwarder) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.held)
	f.shift, f.level3 = 0, 0
	f.moved = true // place the pointer before the next click
}

func (f *Forwarder) emit(m proto.Message) {
	if err := f.send.Send(m); err != nil {
		f.log.Debug("input not sent", "err", err)
	}
}

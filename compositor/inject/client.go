package inject

import (
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"

	"dream/internal/keysym"
)

const (
	maxButton = 9   // X buttons 1..9: 1-3 left, middle, right; 4-7 wheel; 8-9 back, forward
	notch     = 120 // Wheel units per click
	// maxClicks bounds the clicks one Wheel call sends on each axis.
	maxClicks = 64
)

// Client is one viewer's keyboard and mouse on an Injector. It remembers what
// its viewer holds down, so that releases go where the presses went and
// ReleaseAll can let go of everything.
type Client struct {
	in *Injector

	// All guarded by in.mu.
	keys       map[uint32]xproto.Keycode // keysym held → keycode its press used
	held       []held                    // keys and buttons held, in press order
	accX, accY int                       // wheel remainders, 1/120 notch
	closed     bool                      // Close was called: nothing more is applied
}

// usable reports why c cannot act, if it cannot; in.mu is held.
func (c *Client) usable() error {
	if c.closed {
		return ErrClosed
	}
	return c.in.usable()
}

// held is a key (keysym ks) or a button that a Client holds.
type held struct {
	ks     uint32
	button uint8 // 0: a key
}

// Key presses (down) or releases the key for X keysym ks. A press goes to a
// keycode that gives ks in the server's keymap, with Shift and level 3
// (AltGr) changed for the press if the held modifiers would give another
// symbol; a keysym the keymap lacks is bound to a spare keycode. A release
// goes to the keycode the press used. A second press of a held keysym is
// ignored (the X server autorepeats held keys itself), as is a release of a
// keysym not held. Keysym 0 is ErrBadInput.
func (c *Client) Key(ks uint32, down bool) error {
	if ks == noSymbol {
		return fmt.Errorf("inject: key %s with keysym 0 (unknown key): %w", upDown(down), ErrBadInput)
	}
	in := c.in
	in.mu.Lock()
	defer in.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	var err error
	if down {
		err = c.press(ks)
	} else {
		err = c.release(ks)
	}
	return in.flush(err)
}

func upDown(down bool) string {
	if down {
		return "down"
	}
	return "up"
}

func (c *Client) press(ks uint32) error {
	in := c.in
	if _, ok := c.keys[ks]; ok {
		return nil // the viewer's autorepeat: the server repeats held keys itself
	}
	if err := in.reloadIfStale(); err != nil {
		return err
	}
	p, ok, err := in.km.plan(ks, in.spareSet, in.modState)
	if err != nil {
		return err
	}
	if !ok {
		kc, err := in.spareFor(ks, false)
		if err != nil {
			return err
		}
		p = plan{kc: kc, anyState: true}
	}
	c.keys[ks] = p.kc
	c.held = append(c.held, held{ks: ks})
	in.holds[p.kc]++
	if in.km.adjustable(p.kc) {
		in.restoreMods() // presses it
		return nil
	}
	if in.holds[p.kc] > 1 {
		return nil // another client holds it down
	}
	want := in.wanted(&p)
	in.syncMods(want)
	in.fake(xproto.KeyPress, byte(p.kc))
	in.down[p.kc] = true
	in.adjusted = 0
	if !maps.Equal(want, in.wanted(nil)) {
		in.adjusted = p.kc // keep the change while it is down: autorepeat
	}
	return nil
}

func (c *Client) release(ks uint32) error {
	in := c.in
	kc, ok := c.keys[ks]
	if !ok {
		return nil
	}
	delete(c.keys, ks)
	c.held = slices.DeleteFunc(c.held, func(h held) bool { return h.button == 0 && h.ks == ks })
	if in.holds[kc]--; in.holds[kc] > 0 {
		return nil // another client still holds it
	}
	delete(in.holds, kc)
	if in.km.adjustable(kc) {
		in.restoreMods() // releases it
		return nil
	}
	in.fake(xproto.KeyRelease, byte(kc))
	delete(in.down, kc)
	in.touchSpare(kc)
	if in.adjusted == kc {
		in.restoreMods()
	}
	return nil
}

// Button presses or releases X button b: 1 left, 2 middle, 3 right, 4-7 the
// wheel (up, down, left, right), 8 back, 9 forward. 0 and above 9 are
// ErrBadInput. A second press of a held button and a release of one not
// held are ignored.
func (c *Client) Button(b uint8, down bool) error {
	if b == 0 || b > maxButton {
		return fmt.Errorf("inject: button %d %s: buttons are 1 to %d: %w", b, upDown(down), maxButton, ErrBadInput)
	}
	in := c.in
	in.mu.Lock()
	defer in.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	i := slices.Index(c.held, held{button: b})
	switch {
	case down && i < 0:
		c.held = append(c.held, held{button: b})
		if in.buttons[b]++; in.buttons[b] == 1 {
			in.restoreMods()
			in.fake(xproto.ButtonPress, b)
		}
	case !down && i >= 0:
		c.held = slices.Delete(c.held, i, i+1)
		c.releaseButton(b)
	}
	return in.flush(nil)
}

func (c *Client) releaseButton(b uint8) {
	if c.in.buttons[b]--; c.in.buttons[b] == 0 {
		c.in.fake(xproto.ButtonRelease, b)
	}
}

// Wheel scrolls by dx, dy in 1/120ths of a notch (positive: right, down):
// each whole notch is a click of button 7/6 (right/left) or 5/4
// (down/up). Fractions carry over to the next call until the direction
// changes; at most 64 clicks per axis a call.
func (c *Client) Wheel(dx, dy int) error {
	in := c.in
	in.mu.Lock()
	defer in.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	nx, ny := wheelStep(&c.accX, dx), wheelStep(&c.accY, dy)
	if nx == 0 && ny == 0 {
		return nil
	}
	in.restoreMods()
	for _, axis := range [...]struct {
		n        int
		neg, pos uint8
	}{{ny, 4, 5}, {nx, 6, 7}} {
		b := axis.pos
		if axis.n < 0 {
			b = axis.neg
		}
		for range min(abs(axis.n), maxClicks) {
			in.fake(xproto.ButtonPress, b)
			in.fake(xproto.ButtonRelease, b)
		}
	}
	return in.flush(nil)
}

// wheelStep adds d to the remainder *acc and takes out the whole notches.
func wheelStep(acc *int, d int) int {
	if d == 0 {
		return 0
	}
	if *acc > 0 && d < 0 || *acc < 0 && d > 0 {
		*acc = 0 // turned: the old direction's fraction is stale
	}
	*acc += d
	n := *acc / notch
	*acc -= n * notch
	return n
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Move puts the pointer at x, y in root coordinates, clamped to the screen.
func (c *Client) Move(x, y int) error {
	in := c.in
	x, y = max(0, min(x, in.w-1)), max(0, min(y, in.h-1))
	in.mu.Lock()
	defer in.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	xtest.FakeInput(in.conn, xproto.MotionNotify, 0 /* absolute */, 0, in.root, int16(x), int16(y), 0)
	// No round trip for motion (it comes at the mouse's rate): the next key
	// or button waits for the server, and the order of requests holds anyway.
	in.pending = true
	return nil
}

// MoveBy moves the pointer by dx, dy (XTEST relative motion); the X server
// keeps it on the screen, so crossing from one tile into the next is just
// moving on.
func (c *Client) MoveBy(dx, dy int) error {
	if dx == 0 && dy == 0 {
		return nil
	}
	in := c.in
	dx, dy = max(-32768, min(dx, 32767)), max(-32768, min(dy, 32767))
	in.mu.Lock()
	defer in.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	xtest.FakeInput(in.conn, xproto.MotionNotify, 1 /* relative */, 0, in.root, int16(dx), int16(dy), 0)
	in.pending = true // no round trip, as for Move
	return nil
}

// Text types s, pressing and releasing a key for each character: Latin-1
// characters by their keysym, others by a legacy keysym the keymap has for
// them or else their Unicode keysym (0x01000000+U), bound to a spare keycode
// when the keymap lacks it. "\n", "\r\n" and "\r" type Return, "\t" Tab.
// Other control characters and invalid UTF-8 are ErrBadInput, and then
// nothing is typed. Modifiers the viewer holds (Control...) stay held.
func (c *Client) Text(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("inject: text %q: invalid UTF-8: %w", s, ErrBadInput)
	}
	syms := make([]uint32, 0, len(s))
	prev := rune(0)
	for i, r := range s {
		ks, ok := keysym.FromRune(r)
		if !ok {
			return fmt.Errorf("inject: text: control character %U at byte %d: %w", r, i, ErrBadInput)
		}
		if !(r == '\n' && prev == '\r') {
			syms = append(syms, ks)
		}
		prev = r
	}
	in := c.in
	in.mu.Lock()
	defer in.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	if err := in.reloadIfStale(); err != nil {
		return err
	}
	for _, ks := range syms {
		if err := in.typeKey(ks); err != nil {
			return in.flush(err)
		}
	}
	in.restoreMods()
	return in.flush(nil)
}

// typeKey presses and releases ks, leaving Shift and level 3 as the press
// needed them.
func (in *Injector) typeKey(ks uint32) error {
	p, ok, err := in.km.plan(ks, in.spareSet, in.modState)
	if err != nil {
		return err
	}
	if ok && (in.holds[p.kc] > 0 || in.km.adjustable(p.kc)) {
		ok = false // a client holds that key: its release must not be ours
	}
	if !ok {
		kc, err := in.spareFor(ks, true)
		if err != nil {
			return err
		}
		p = plan{kc: kc, anyState: true}
	}
	in.syncMods(in.wanted(&p))
	in.fake(xproto.KeyPress, byte(p.kc))
	in.fake(xproto.KeyRelease, byte(p.kc))
	in.touchSpare(p.kc)
	return nil
}

// ReleaseAll releases every key and button the client holds, the latest
// pressed first, and forgets wheel fractions. Keys another client also
// holds stay down on the server until that client releases them.
func (c *Client) ReleaseAll() error {
	c.in.mu.Lock()
	defer c.in.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	return c.releaseAll()
}

// Close releases everything the client holds and ends it: input that arrives
// later (a viewer's last messages, still in flight when it hung up) is refused
// with ErrClosed, so nothing can be pressed that no one would release.
func (c *Client) Close() error {
	c.in.mu.Lock()
	defer c.in.mu.Unlock()
	if c.closed {
		return nil
	}
	var err error
	if c.in.usable() == nil {
		err = c.releaseAll()
	}
	c.closed = true
	return err
}

// releaseAll is ReleaseAll with in.mu held.
func (c *Client) releaseAll() error {
	in := c.in
	var err error
	for i := len(c.held) - 1; i >= 0; i-- {
		if h := c.held[i]; h.button != 0 {
			c.held = c.held[:i]
			c.releaseButton(h.button)
		} else if e := c.release(h.ks); e != nil && err == nil {
			err = e
		}
	}
	c.held = c.held[:0]
	c.accX, c.accY = 0, 0
	in.restoreMods()
	return in.flush(err)
}

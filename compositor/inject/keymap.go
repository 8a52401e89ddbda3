package inject

import (
	"fmt"
	"time"

	"github.com/jezek/xgb/xproto"

	"dream/internal/keysym"
)

const (
	// maxSpares is how many unused keycodes the Injector keeps for keysyms
	// the keymap lacks.
	maxSpares = 32
	// spareReuseAge is how long a spare keycode keeps its keysym after its
	// last press before it may be rebound: an X client looks the keysym up
	// when it reads the key event, which may be a moment after the server
	// sent it, and would see the new binding.
	spareReuseAge = 200 * time.Millisecond
)

// Core keymap positions (XKB's core view of a one-group layout).
const (
	posBase   = 0 // group 1, level 1
	posShift  = 1 // group 1, level 2
	posL3     = 4 // group 1, level 3
	posL3Shft = 5 // group 1, level 4
)

// keymap is the server's core keyboard and modifier mapping.
type keymap struct {
	min  xproto.Keycode
	per  int      // keysyms per keycode
	syms []uint32 // per keysyms for each keycode from min

	shiftRow, l3Row []xproto.Keycode // keycodes of the Shift and level-3 modifiers
	shiftKey, l3Key xproto.Keycode   // what to press for Shift and level 3; 0: none
	l3Mask, numMask uint16           // modifier bits of level 3 and NumLock
	modifier        map[xproto.Keycode]bool
	shiftSet, l3Set map[xproto.Keycode]bool
}

// loadKeymap reads the keyboard and modifier mappings.
func (in *Injector) loadKeymap() (*keymap, error) {
	setup := xproto.Setup(in.conn)
	m := &keymap{min: setup.MinKeycode}
	count := int(setup.MaxKeycode) - int(setup.MinKeycode) + 1
	var kr *xproto.GetKeyboardMappingReply
	if err := in.await("GetKeyboardMapping", func() (err error) {
		kr, err = xproto.GetKeyboardMapping(in.conn, setup.MinKeycode, byte(count)).Reply()
		return err
	}); err != nil {
		return nil, err
	}
	var mr *xproto.GetModifierMappingReply
	if err := in.await("GetModifierMapping", func() (err error) {
		mr, err = xproto.GetModifierMapping(in.conn).Reply()
		return err
	}); err != nil {
		return nil, err
	}
	m.per = int(kr.KeysymsPerKeycode)
	m.syms = make([]uint32, len(kr.Keysyms))
	for i, ks := range kr.Keysyms {
		m.syms[i] = uint32(ks)
	}
	m.modifier = make(map[xproto.Keycode]bool)
	m.shiftSet = make(map[xproto.Keycode]bool)
	m.l3Set = make(map[xproto.Keycode]bool)
	per := int(mr.KeycodesPerModifier)
	rows := make([][]xproto.Keycode, 8)
	for mod := range rows {
		for _, kc := range mr.Keycodes[mod*per : (mod+1)*per] {
			if kc != 0 {
				rows[mod] = append(rows[mod], kc)
				m.modifier[kc] = true
			}
		}
	}
	m.shiftRow = rows[0]
	for mod, row := range rows {
		for _, kc := range row {
			switch m.sym(kc, posBase) {
			case keysym.ShiftL:
				if mod == 0 && m.shiftKey == 0 {
					m.shiftKey = kc
				}
			case keysym.Level3Shift:
				if mod > 2 && m.l3Key == 0 {
					m.l3Key, m.l3Mask, m.l3Row = kc, 1<<mod, row
				}
			case keysym.NumLock:
				m.numMask = 1 << mod
			}
		}
	}
	if m.shiftKey == 0 && len(m.shiftRow) > 0 {
		m.shiftKey = m.shiftRow[0]
	}
	for _, kc := range m.shiftRow {
		m.shiftSet[kc] = true
	}
	for _, kc := range m.l3Row {
		m.l3Set[kc] = true
	}
	return m, nil
}

// sym is the keysym at position i of keycode kc.
func (m *keymap) sym(kc xproto.Keycode, i int) uint32 {
	o := (int(kc)-int(m.min))*m.per + i
	if kc < m.min || i >= m.per || o >= len(m.syms) {
		return noSymbol
	}
	return m.syms[o]
}

// set gives every position of kc the keysym ks (what bind asked the server).
func (m *keymap) set(kc xproto.Keycode, ks uint32) {
	o := (int(kc) - int(m.min)) * m.per
	for i := range m.per {
		m.syms[o+i] = ks
	}
}

// max is the highest keycode.
func (m *keymap) max() xproto.Keycode {
	return xproto.Keycode(int(m.min) + len(m.syms)/m.per - 1)
}

// spareKeycodes returns up to n keycodes with no keysym and no modifier,
// highest first.
func (m *keymap) spareKeycodes(n int) []xproto.Keycode {
	var out []xproto.Keycode
	for kc := int(m.max()); kc >= int(m.min) && len(out) < n; kc-- {
		k := xproto.Keycode(kc)
		empty := !m.modifier[k]
		for i := 0; i < m.per && empty; i++ {
			empty = m.sym(k, i) == noSymbol
		}
		if empty {
			out = append(out, k)
		}
	}
	return out
}

// state is the modifier state that picks a key's level.
type state struct{ shift, l3, lock, num bool }

// produces is the keysym the server gives kc in state st: Xlib's rules for
// the core map, which XKB's standard key types (ONE_LEVEL, TWO_LEVEL,
// ALPHABETIC, KEYPAD, FOUR_LEVEL*) agree with.
func (m *keymap) produces(kc xproto.Keycode, st state) uint32 {
	lo := posBase
	if st.l3 && (m.sym(kc, posL3) != noSymbol || m.sym(kc, posL3Shft) != noSymbol) {
		lo = posL3
	}
	a, b := m.sym(kc, lo), m.sym(kc, lo+1)
	if b == noSymbol {
		return a
	}
	shift := st.shift
	switch {
	case st.num && keysym.IsKeypad(b):
		shift = !shift
	case st.lock && keysym.IsCasePair(a, b):
		shift = !shift
	}
	if shift {
		return b
	}
	return a
}

// same says whether keysyms a and b type the same thing.
func same(a, b uint32) bool {
	if a == b {
		return true
	}
	ra, ok1 := keysym.Rune(a)
	rb, ok2 := keysym.Rune(b)
	return ok1 && ok2 && ra == rb
}

// find returns the keycodes other than skip (the spares) that have ks (or a
// keysym typing the same character) at a level this package can reach: 1 to
// 4 of group 1. Exact matches come first.
func (m *keymap) find(ks uint32, skip map[xproto.Keycode]bool) []xproto.Keycode {
	var exact, equal []xproto.Keycode
	for kc := int(m.min); kc <= int(m.max()); kc++ {
		k := xproto.Keycode(kc)
		if skip[k] {
			continue
		}
		ex, eq := false, false
		for _, i := range [...]int{posBase, posShift, posL3, posL3Shft} {
			s := m.sym(k, i)
			ex = ex || s == ks
			eq = eq || s != noSymbol && same(s, ks)
		}
		switch {
		case ex:
			exact = append(exact, k)
		case eq:
			equal = append(equal, k)
		}
	}
	return append(exact, equal...)
}

// stateless says whether kc gives ks whatever the modifiers.
func (m *keymap) stateless(kc xproto.Keycode, ks uint32) bool {
	for s := range 16 {
		if !same(m.produces(kc, state{s&1 != 0, s&2 != 0, s&4 != 0, s&8 != 0}), ks) {
			return false
		}
	}
	return true
}

// plan is how to press a keysym: its keycode, and the Shift and level-3
// state to hold while it goes down.
type plan struct {
	kc        xproto.Keycode
	anyState  bool // the keycode gives the keysym in every state
	shift, l3 bool // else: the state to set
}

// modState is what the server's state says beyond the keys this Injector
// holds down.
type modState struct {
	held                    state // Shift and level 3 from the keys the clients hold, Lock and NumLock from the server
	foreignShift, foreignL3 bool  // the server has them on though this Injector holds no key for them
}

// plan finds the keycode for ks and the Shift and level-3 state that makes
// the server produce ks, preferring the keycode that needs the fewest
// changes from what the clients hold. ok is false when the keymap has no
// reachable ks outside the spare keycodes.
func (m *keymap) plan(ks uint32, spares map[xproto.Keycode]bool, query func() (modState, error)) (p plan, ok bool, err error) {
	cands := m.find(ks, spares)
	for _, kc := range cands {
		if m.stateless(kc, ks) {
			return plan{kc: kc, anyState: true}, true, nil
		}
	}
	if len(cands) == 0 {
		return plan{}, false, nil
	}
	st, err := query()
	if err != nil {
		return plan{}, false, err
	}
	h := st.held
	for _, o := range [...]struct{ shift, l3 bool }{{h.shift, h.l3}, {!h.shift, h.l3}, {h.shift, !h.l3}, {!h.shift, !h.l3}} {
		if o.shift && !h.shift && m.shiftKey == 0 || !o.shift && st.foreignShift ||
			o.l3 && !h.l3 && m.l3Key == 0 || !o.l3 && st.foreignL3 {
			continue
		}
		eff := state{shift: o.shift || st.foreignShift, l3: o.l3 || st.foreignL3, lock: h.lock, num: h.num}
		for _, kc := range cands {
			if same(m.produces(kc, eff), ks) {
				return plan{kc: kc, shift: o.shift, l3: o.l3}, true, nil
			}
		}
	}
	return plan{}, false, nil
}

// bind sets every position of spare keycode kc to ks (noSymbol unbinds) and
// waits until the server has done it, so that the next key event carries
// the new keysym to clients that refresh their mapping on MappingNotify.
func (in *Injector) bind(kc xproto.Keycode, ks uint32) error {
	syms := make([]xproto.Keysym, in.km.per)
	for i := range syms {
		syms[i] = xproto.Keysym(ks)
	}
	err := in.await(fmt.Sprintf("ChangeKeyboardMapping of keycode %d", kc), func() error {
		return xproto.ChangeKeyboardMappingChecked(in.conn, 1, kc, byte(in.km.per), syms).Check()
	})
	if err != nil {
		return err
	}
	in.km.set(kc, ks)
	return nil
}

const noSymbol = 0 // X's NoSymbol

package inject

import (
	"errors"
	"slices"

	"github.com/jezek/xgb/xproto"
)

// The Injector keeps two sets of keys. holds is what the clients hold (the
// viewers' modifiers among them); down is what it has pressed on the server.
// They differ only in the Shift and level-3 keys ("adjustable"), which a
// press may change so that the server produces the keysym the viewer asked
// for; restoreMods brings the server back to what the clients hold.

// adjustable says whether kc is a Shift or level-3 key, which presses of
// other keys may release or press.
func (m *keymap) adjustable(kc xproto.Keycode) bool { return m.shiftSet[kc] || m.l3Set[kc] }

// modState asks the server for its modifier state (QueryPointer's mask):
// Lock and NumLock, which change a key's level, and Shift or level 3 that
// someone else (a real keyboard) holds, which this Injector cannot undo.
func (in *Injector) modState() (modState, error) {
	var r *xproto.QueryPointerReply
	if err := in.await("QueryPointer", func() (err error) {
		r, err = xproto.QueryPointer(in.conn, in.root).Reply()
		return err
	}); err != nil {
		return modState{}, err
	}
	km := in.km
	var st modState
	ourShift, ourL3 := false, false
	for kc := range in.down {
		ourShift = ourShift || km.shiftSet[kc]
		ourL3 = ourL3 || km.l3Set[kc]
	}
	for kc := range in.holds {
		st.held.shift = st.held.shift || km.shiftSet[kc]
		st.held.l3 = st.held.l3 || km.l3Set[kc]
	}
	st.held.lock = r.Mask&xproto.ModMaskLock != 0
	st.held.num = km.numMask != 0 && r.Mask&km.numMask != 0
	st.foreignShift = r.Mask&xproto.ModMaskShift != 0 && !ourShift
	st.foreignL3 = km.l3Mask != 0 && r.Mask&km.l3Mask != 0 && !ourL3
	return st, nil
}

// wanted is the set of Shift and level-3 keys that should be down on the
// server: those the clients hold, changed as p needs (nil: unchanged).
func (in *Injector) wanted(p *plan) map[xproto.Keycode]bool {
	km := in.km
	want := make(map[xproto.Keycode]bool)
	for kc := range in.holds {
		if km.adjustable(kc) {
			want[kc] = true
		}
	}
	if p == nil || p.anyState {
		return want
	}
	adjust := func(set map[xproto.Keycode]bool, on bool, key xproto.Keycode) {
		has := false
		for kc := range want {
			if set[kc] {
				has = true
				if !on {
					delete(want, kc)
				}
			}
		}
		if on && !has {
			want[key] = true
		}
	}
	adjust(km.shiftSet, p.shift, km.shiftKey)
	adjust(km.l3Set, p.l3, km.l3Key)
	return want
}

// syncMods releases and presses Shift and level-3 keys until exactly want
// is down on the server.
func (in *Injector) syncMods(want map[xproto.Keycode]bool) {
	var up, dn []xproto.Keycode
	for kc := range in.down {
		if in.km.adjustable(kc) && !want[kc] {
			up = append(up, kc)
		}
	}
	for kc := range want {
		if !in.down[kc] {
			dn = append(dn, kc)
		}
	}
	slices.Sort(up)
	slices.Sort(dn)
	for _, kc := range up {
		in.fake(xproto.KeyRelease, byte(kc))
		delete(in.down, kc)
	}
	for _, kc := range dn {
		in.fake(xproto.KeyPress, byte(kc))
		in.down[kc] = true
	}
}

// restoreMods sets the server's Shift and level 3 back to what the clients
// hold, ending any adjustment.
func (in *Injector) restoreMods() {
	in.syncMods(in.wanted(nil))
	in.adjusted = 0
}

// flush waits for the server to handle what this call sent (see sync), and
// returns err if it is not nil.
func (in *Injector) flush(err error) error {
	if !in.pending {
		return err
	}
	in.pending = false
	// A server that does not answer has the requests in its socket all the
	// same, and applies them once it runs again: the call is done (made
	// again, it would type twice).
	if serr := in.sync(); err == nil && !errors.Is(serr, ErrTimeout) {
		err = serr
	}
	return err
}

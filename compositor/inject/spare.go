package inject

import (
	"fmt"
	"slices"
	"time"

	"github.com/jezek/xgb/xproto"
)

// spare is a keycode the keymap left empty, which the Injector binds to
// keysyms the keymap lacks.
type spare struct {
	kc   xproto.Keycode
	ks   uint32    // bound keysym; noSymbol: free
	used time.Time // last press or release
	lost bool      // another client bound it: leave it alone
}

// spareFor returns a spare keycode bound to ks. It reuses one already bound
// to ks (unless avoidHeld and a client holds it), or rebinds the least
// recently used spare that no client holds.
func (in *Injector) spareFor(ks uint32, avoidHeld bool) (xproto.Keycode, error) {
	idx := slices.IndexFunc(in.spares, func(s spare) bool {
		return s.ks == ks && !s.lost && !(avoidHeld && in.holds[s.kc] > 0)
	})
	if idx < 0 {
		idx = slices.IndexFunc(in.spares, func(s spare) bool { return !s.lost && in.holds[s.kc] == 0 && !in.down[s.kc] })
		if idx < 0 {
			return 0, fmt.Errorf("inject: keysym %#x is not in the keymap and all %d spare keycodes are held down: %w",
				ks, len(in.spares), ErrNoSpareKeycode)
		}
		s := in.spares[idx]
		if s.ks != noSymbol {
			if wait := spareReuseAge - time.Since(s.used); wait > 0 {
				time.Sleep(wait) // let X clients read the old binding's last key events
			}
		}
		if err := in.bind(s.kc, ks); err != nil {
			return 0, err
		}
		in.spares[idx].ks = ks
		in.log.Debug("bound spare keycode", "keycode", s.kc, "keysym", fmt.Sprintf("%#x", ks))
	}
	s := in.spares[idx]
	s.used = time.Now()
	in.spares = append(slices.Delete(in.spares, idx, idx+1), s) // most recently used last
	return s.kc, nil
}

// touchSpare records a release of kc if it is a spare.
func (in *Injector) touchSpare(kc xproto.Keycode) {
	if !in.spareSet[kc] {
		return
	}
	for i := range in.spares {
		if in.spares[i].kc == kc {
			in.spares[i].used = time.Now()
		}
	}
}

// reloadIfStale reads the keymap again after another client changed it.
func (in *Injector) reloadIfStale() error {
	if !in.stale.Swap(false) {
		return nil
	}
	km, err := in.loadKeymap()
	if err != nil {
		in.stale.Store(true)
		return err
	}
	in.km = km
	for i, s := range in.spares {
		if s.lost {
			continue
		}
		if got := km.sym(s.kc, posBase); got != s.ks {
			in.spares[i].ks, in.spares[i].lost = noSymbol, got != noSymbol
		}
	}
	in.log.Debug("keymap reloaded")
	return nil
}

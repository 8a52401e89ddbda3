package primary

import (
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"dream/inputd/config"
	"dream/internal/keysym"
	"dream/proto/synergy"
)

// repeatPair bounds the wait for the press that may follow a release (an
// auto-repeat); a real release is sent that much later.
const repeatPair = 10 * time.Millisecond

// event handles one X event: keys and buttons while another screen is active
// (this machine's are grabbed), hotkeys at any time.
func (p *Primary) event(ev xgb.Event) {
	switch e := ev.(type) {
	case xproto.KeyPressEvent:
		p.state = e.State
		p.key(byte(e.Detail), e.State, true)
	case xproto.KeyReleaseEvent:
		p.state = e.State
		// X repeats a held key as a release and a press with one timestamp,
		// sent together: wait a moment for the press.
		p.repeatWait.Reset(repeatPair)
		defer p.repeatWait.Stop()
		select {
		case next := <-p.events:
			if n, ok := next.(xproto.KeyPressEvent); ok && n.Detail == e.Detail && n.Time == e.Time {
				p.repeat(byte(e.Detail), n.State)
				return
			}
			p.key(byte(e.Detail), e.State, false)
			p.event(next)
		case <-p.repeatWait.C:
			p.key(byte(e.Detail), e.State, false)
		}
	case xproto.ButtonPressEvent:
		p.state = e.State
		p.button(int(e.Detail), true)
	case xproto.ButtonReleaseEvent:
		p.state = e.State
		p.button(int(e.Detail), false)
	case xproto.ConfigureNotifyEvent:
		if e.Window == p.root && (int(e.Width) != p.here.w || int(e.Height) != p.here.h) {
			p.here.w, p.here.h = int(e.Width), int(e.Height)
			p.log.Info("screen size changed", "width", p.here.w, "height", p.here.h)
		}
	}
}

// key handles a key press or release.
func (p *Primary) key(kc byte, state uint16, down bool) {
	if !down && p.swallow[kc] {
		delete(p.swallow, kc)
		return
	}
	if down && p.swallow[kc] {
		return // a held hotkey repeating
	}
	if down {
		if h, ok := p.hotkey(kc, state); ok {
			p.swallow[kc] = true
			p.act(h)
			return
		}
	}
	if p.active == "" {
		return
	}
	mask := synergy.MaskFromX(state)
	if !down {
		id, ok := p.held[kc]
		if !ok {
			return // pressed before the switch: the other screen never saw it
		}
		delete(p.held, kc)
		p.cfg.Server.Key(int(id), mask, int(kc), false)
		return
	}
	if _, ok := p.held[kc]; ok {
		p.repeat(kc, state)
		return
	}
	sym := p.keysym(kc, state)
	id := synergy.KeyID(sym)
	if id == 0 {
		p.log.Debug("key has no Synergy ID", "keycode", kc, "keysym", sym)
		return
	}
	p.held[kc] = id
	p.cfg.Server.Key(int(id), mask, int(kc), true)
}

// keysym is the keysym key kc gives with modifiers state, as X clients pick
// it: with Num Lock on, a keypad key's shifted level (KP_1, not KP_End) unless
// Shift is held.
func (p *Primary) keysym(kc byte, state uint16) uint32 {
	shift, level3, caps := state&xShift != 0, state&xMod5 != 0, state&xLock != 0
	if state&xMod2 != 0 {
		if alt := p.km.Keysym(int(kc), true, level3, false); keysym.IsKeypad(alt) {
			if shift {
				return p.km.Keysym(int(kc), false, level3, false)
			}
			return alt
		}
	}
	return p.km.Keysym(int(kc), shift, level3, caps)
}

// repeat sends a held key's auto-repeat.
func (p *Primary) repeat(kc byte, state uint16) {
	if id, ok := p.held[kc]; ok && p.active != "" {
		p.cfg.Server.Repeat(int(id), synergy.MaskFromX(state), 1, int(kc))
	}
}

// button handles X's buttons: 1 to 3 are the left, middle and right buttons,
// 4 to 7 the wheel (up, down, left, right), 8 and 9 back and forward.
func (p *Primary) button(b int, down bool) {
	if p.active == "" {
		return
	}
	const notch = 120
	switch {
	case b >= 4 && b <= 7:
		if down {
			dx, dy := 0, 0
			switch b {
			case 4:
				dy = notch
			case 5:
				dy = -notch
			case 6:
				dx = -notch
			case 7:
				dx = notch
			}
			p.cfg.Server.Wheel(dx, dy)
		}
		return
	case b >= 8:
		b -= 4
	}
	if down {
		p.buttons++
	} else if p.buttons > 0 {
		p.buttons--
	}
	p.cfg.Server.Button(b, down)
}

// hotkey finds the hotkey that key kc with modifiers state is.
func (p *Primary) hotkey(kc byte, state uint16) (hotkey, bool) {
	if len(p.hotkeys) == 0 {
		return hotkey{}, false
	}
	sym := p.km.Keysym(int(kc), false, false, false)
	for _, h := range p.hotkeys {
		if h.sym == sym && state&hotkeyMods == h.mods {
			return h, true
		}
	}
	return hotkey{}, false
}

// act does what a hotkey says.
func (p *Primary) act(h hotkey) {
	p.log.Info("hotkey", "keys", h.text, "action", h.action, "arg", h.arg)
	centre := func(r rect) (int, int) { return r.centre() }
	switch h.action {
	case "switchToScreen":
		p.switchTo(h.arg, centre, p.state)
	case "switchInDirection":
		from := p.current()
		dir := config.Direction(h.arg)
		to, _, ok := p.cfg.Screens.Neighbour(from, dir, 0.5)
		if ok {
			p.switchTo(to, centre, p.state)
		}
	case "switchToNextScreen":
		screens := p.cfg.Screens.Screens
		from := p.current()
		for i := range screens {
			if screens[i].Name != from {
				continue
			}
			for j := 1; j < len(screens); j++ {
				if p.switchTo(screens[(i+j)%len(screens)].Name, centre, p.state) {
					return
				}
			}
		}
	}
}

// current is the screen that has the keyboard and pointer.
func (p *Primary) current() string {
	if p.active == "" {
		return p.name
	}
	return p.active
}

// grabHotkeys asks X for the hotkeys' keys while this screen has the keyboard
// (with and without Caps Lock and Num Lock). A key another program holds is
// logged and left out.
func (p *Primary) grabHotkeys() {
	for _, h := range p.hotkeys {
		for _, kc := range p.km.Keycodes(h.sym) {
			for _, locks := range []uint16{0, xLock, xMod2, xLock | xMod2} {
				err := xproto.GrabKeyChecked(p.conn, false, p.root, h.mods|locks, xproto.Keycode(kc),
					xproto.GrabModeAsync, xproto.GrabModeAsync).Check()
				if err != nil {
					p.log.Warn("hotkey is taken by another program", "keys", h.text, "err", err)
					break
				}
			}
		}
	}
}

package primary

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"dream/inputd/config"
	"dream/internal/keysym"
)

// X modifier bits, as in key events' state.
const (
	xShift   = 1 << 0
	xLock    = 1 << 1
	xControl = 1 << 2
	xMod1    = 1 << 3 // Alt
	xMod2    = 1 << 4 // Num Lock
	xMod4    = 1 << 6 // Super
	xMod5    = 1 << 7 // AltGr (ISO_Level3_Shift)

	xButtons = 0x1f00 // Button1Mask to Button5Mask

	// hotkeyMods are the modifiers a hotkey names; Caps and Num Lock do not
	// matter to it.
	hotkeyMods = xShift | xControl | xMod1 | xMod4 | xMod5
)

// hotkey is a configured keystroke(...) and what it does.
type hotkey struct {
	text   string // as written, for logs
	sym    uint32
	mods   uint16
	action string // switchToScreen, switchInDirection, switchToNextScreen
	arg    string
}

var modNames = map[string]uint16{
	"shift": xShift, "control": xControl, "ctrl": xControl, "alt": xMod1,
	"meta": xMod1, "super": xMod4, "altgr": xMod5,
}

// keyNames are Barrier's names for keys that are not characters, by X keysym.
var keyNames = map[string]uint32{
	"backspace": 0xff08, "tab": 0xff09, "return": 0xff0d, "enter": 0xff0d,
	"pause": 0xff13, "scrolllock": 0xff14, "escape": 0xff1b, "delete": 0xffff,
	"home": 0xff50, "left": 0xff51, "up": 0xff52, "right": 0xff53, "down": 0xff54,
	"pageup": 0xff55, "pagedown": 0xff56, "end": 0xff57, "insert": 0xff63,
	"print": 0xff61, "menu": 0xff67, "space": ' ',
}

// parseHotkey reads one keystroke(...) option.
func parseHotkey(h config.Hotkey) (hotkey, error) {
	k := hotkey{text: h.Keys, action: h.Action, arg: h.Arg}
	switch h.Action {
	case "switchToScreen", "switchInDirection", "switchToNextScreen":
	default:
		return k, fmt.Errorf("keystroke(%s) = %s(%s): dreaminput does not do %s (it does switchToScreen, switchInDirection and switchToNextScreen)", h.Keys, h.Action, h.Arg, h.Action)
	}
	if h.Action == "switchInDirection" {
		switch config.Direction(h.Arg) {
		case config.Left, config.Right, config.Up, config.Down:
		default:
			return k, fmt.Errorf("keystroke(%s): switchInDirection(%s): the direction is left, right, up or down", h.Keys, h.Arg)
		}
	}
	parts := strings.Split(h.Keys, "+")
	for _, m := range parts[:len(parts)-1] {
		bit, ok := modNames[strings.ToLower(strings.TrimSpace(m))]
		if !ok {
			return k, fmt.Errorf("keystroke(%s): unknown modifier %q (Shift, Control, Alt, Meta, Super or AltGr)", h.Keys, m)
		}
		k.mods |= bit
	}
	name := strings.TrimSpace(parts[len(parts)-1])
	switch {
	case name == "":
		return k, fmt.Errorf("keystroke(%s): no key after the modifiers", h.Keys)
	case utf8.RuneCountInString(name) == 1:
		r, _ := utf8.DecodeRuneInString(name)
		k.sym, _ = keysym.FromRune(r)
		if lower, _ := caseOf(k.sym); lower != 0 {
			k.sym = lower
		}
	case len(name) >= 2 && (name[0] == 'F' || name[0] == 'f'):
		var n int
		if _, err := fmt.Sscanf(name[1:], "%d", &n); err != nil || n < 1 || n > 35 || fmt.Sprint(n) != name[1:] {
			return k, fmt.Errorf("keystroke(%s): unknown key %q", h.Keys, name)
		}
		k.sym = 0xffbe + uint32(n-1) // F1 is 0xFFBE
	default:
		sym, ok := keyNames[strings.ToLower(name)]
		if !ok {
			return k, fmt.Errorf("keystroke(%s): unknown key %q", h.Keys, name)
		}
		k.sym = sym
	}
	if k.sym == 0 {
		return k, fmt.Errorf("keystroke(%s): unknown key %q", h.Keys, name)
	}
	return k, nil
}

// caseOf returns the lower-case keysym of an ASCII letter, else 0.
func caseOf(sym uint32) (lower, upper uint32) {
	if sym >= 'A' && sym <= 'Z' {
		return sym + 'a' - 'A', sym
	}
	if sym >= 'a' && sym <= 'z' {
		return sym, sym - 'a' + 'A'
	}
	return 0, 0
}

package render

import (
	"fmt"
	"strings"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// Hotkey is a key with the modifiers that must be held for it. The window acts
// on it and does not send it to the desktop.
type Hotkey struct {
	Key  glfw.Key
	Mods glfw.ModifierKey
}

// Hotkeys are the window's own keys.
type Hotkeys struct {
	Quit    Hotkey // leave dreamview
	Capture Hotkey // capture the pointer (relative mode) or release it
	Overlay Hotkey // show or hide the statistics overlay
	Next    Hotkey // pointer to the centre of the next tile
	Prev    Hotkey // pointer to the centre of the previous tile
}

// DefaultHotkeys are the keys a zero Hotkeys field stands for.
var DefaultHotkeys = Hotkeys{
	Quit:    Hotkey{glfw.KeyQ, glfw.ModControl | glfw.ModAlt | glfw.ModShift},
	Capture: Hotkey{glfw.KeyC, glfw.ModControl | glfw.ModAlt | glfw.ModShift},
	Overlay: Hotkey{glfw.KeyS, glfw.ModControl | glfw.ModAlt},
	Next:    Hotkey{glfw.KeyRight, glfw.ModControl | glfw.ModAlt},
	Prev:    Hotkey{glfw.KeyLeft, glfw.ModControl | glfw.ModAlt},
}

func (h Hotkey) matches(key glfw.Key, mods glfw.ModifierKey) bool {
	const relevant = glfw.ModControl | glfw.ModAlt | glfw.ModShift | glfw.ModSuper
	return h.Key != 0 && key == h.Key && mods&relevant == h.Mods
}

var modNames = map[string]glfw.ModifierKey{
	"ctrl": glfw.ModControl, "control": glfw.ModControl, "alt": glfw.ModAlt,
	"shift": glfw.ModShift, "super": glfw.ModSuper, "win": glfw.ModSuper,
}

var keyNames = map[string]glfw.Key{
	"right": glfw.KeyRight, "left": glfw.KeyLeft, "up": glfw.KeyUp, "down": glfw.KeyDown,
	"pageup": glfw.KeyPageUp, "pagedown": glfw.KeyPageDown, "home": glfw.KeyHome, "end": glfw.KeyEnd,
	"space": glfw.KeySpace, "tab": glfw.KeyTab, "enter": glfw.KeyEnter, "escape": glfw.KeyEscape,
	"insert": glfw.KeyInsert, "delete": glfw.KeyDelete, "backspace": glfw.KeyBackspace,
	"pause": glfw.KeyPause, "scrolllock": glfw.KeyScrollLock,
}

// ParseHotkey reads a hotkey written like "ctrl+alt+right" or "ctrl+shift+F12":
// modifiers ctrl, alt, shift, super; a letter, a digit, F1 to F25, or a named
// key (right, left, up, down, pageup, pagedown, home, end, space, tab, enter,
// escape, insert, delete, backspace, pause, scrolllock). The letters name keys
// by their place on a US keyboard.
func ParseHotkey(s string) (Hotkey, error) {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(s)), "+")
	var h Hotkey
	for i, p := range parts {
		if m, ok := modNames[p]; ok && i < len(parts)-1 {
			h.Mods |= m
			continue
		}
		if i != len(parts)-1 {
			return Hotkey{}, fmt.Errorf("hotkey %q: %q is not a modifier (ctrl, alt, shift, super)", s, p)
		}
		switch k, ok := keyNames[p]; {
		case ok:
			h.Key = k
		case len(p) == 1 && p[0] >= 'a' && p[0] <= 'z':
			h.Key = glfw.KeyA + glfw.Key(p[0]-'a')
		case len(p) == 1 && p[0] >= '0' && p[0] <= '9':
			h.Key = glfw.Key0 + glfw.Key(p[0]-'0')
		default:
			var n int
			if _, err := fmt.Sscanf(p, "f%d", &n); err == nil && n >= 1 && n <= 25 && p == fmt.Sprintf("f%d", n) {
				h.Key = glfw.KeyF1 + glfw.Key(n-1)
			} else {
				return Hotkey{}, fmt.Errorf("hotkey %q: unknown key %q", s, p)
			}
		}
	}
	if h.Key == 0 {
		return Hotkey{}, fmt.Errorf("hotkey %q: no key", s)
	}
	return h, nil
}

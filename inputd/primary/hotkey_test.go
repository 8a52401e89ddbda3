package primary

import (
	"strings"
	"testing"

	"dream/inputd/config"
)

func TestParseHotkey(t *testing.T) {
	for _, tt := range []struct {
		keys, action, arg string
		sym               uint32
		mods              uint16
		err               string
	}{
		{"Control+Alt+Right", "switchInDirection", "right", 0xff53, xControl | xMod1, ""},
		{"Super+F12", "switchToScreen", "cli", 0xffc9, xMod4, ""},
		{"Control+Shift+A", "switchToNextScreen", "", 'a', xControl | xShift, ""},
		{"ScrollLock", "switchToScreen", "srv", 0xff14, 0, ""},
		{"Control+Hyper+x", "switchToScreen", "cli", 0, 0, "unknown modifier"},
		{"Control+Banana", "switchToScreen", "cli", 0, 0, `unknown key "Banana"`},
		{"Control+F99", "switchToScreen", "cli", 0, 0, `unknown key "F99"`},
		{"Control+", "switchToScreen", "cli", 0, 0, "no key"},
		{"Control+x", "lockCursorToScreen", "toggle", 0, 0, "does not do lockCursorToScreen"},
		{"Control+x", "switchInDirection", "sideways", 0, 0, "left, right, up or down"},
	} {
		k, err := parseHotkey(config.Hotkey{Keys: tt.keys, Action: tt.action, Arg: tt.arg})
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseHotkey(%s) = %v; want an error containing %q", tt.keys, err, tt.err)
			}
			continue
		}
		if err != nil || k.sym != tt.sym || k.mods != tt.mods {
			t.Errorf("parseHotkey(%s) = %#x, %#x, %v; want %#x, %#x", tt.keys, k.sym, k.mods, err, tt.sym, tt.mods)
		}
	}
}

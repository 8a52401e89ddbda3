package render

import (
	"testing"

	"github.com/go-gl/glfw/v3.3/glfw"
)

func TestParseHotkey(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Hotkey
	}{
		{"ctrl+alt+right", Hotkey{glfw.KeyRight, glfw.ModControl | glfw.ModAlt}},
		{"Ctrl+Shift+F12", Hotkey{glfw.KeyF12, glfw.ModControl | glfw.ModShift}},
		{"super+q", Hotkey{glfw.KeyQ, glfw.ModSuper}},
		{"alt+1", Hotkey{glfw.Key1, glfw.ModAlt}},
		{"pause", Hotkey{glfw.KeyPause, 0}},
	} {
		got, err := ParseHotkey(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseHotkey(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "ctrl+", "ctrl+alt", "hyper+x", "ctrl+f26", "ctrl+f1x", "ctrl+é", "x+ctrl"} {
		if h, err := ParseHotkey(bad); err == nil {
			t.Errorf("ParseHotkey(%q) = %+v; want an error", bad, h)
		}
	}
}

func TestHotkeyMatches(t *testing.T) {
	h := DefaultHotkeys.Next
	if !h.matches(glfw.KeyRight, glfw.ModControl|glfw.ModAlt) {
		t.Error("Ctrl+Alt+Right does not match the Next hotkey")
	}
	if !h.matches(glfw.KeyRight, glfw.ModControl|glfw.ModAlt|glfw.ModNumLock) {
		t.Error("Num Lock stops the Next hotkey")
	}
	if h.matches(glfw.KeyRight, glfw.ModControl|glfw.ModAlt|glfw.ModShift) || h.matches(glfw.KeyRight, glfw.ModControl) {
		t.Error("Next matches with the wrong modifiers")
	}
}

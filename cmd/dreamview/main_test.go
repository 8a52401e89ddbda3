package main

import (
	"testing"

	"dream/viewer/render"
)

func TestParseGeometry(t *testing.T) {
	tests := []struct {
		in   string
		want render.WindowConfig
		ok   bool
	}{
		{"960x540", render.WindowConfig{Windowed: true, Width: 960, Height: 540}, true},
		{"960x540+960+10", render.WindowConfig{Windowed: true, Width: 960, Height: 540, X: 960, Y: 10, Place: true}, true},
		{"960x540+0+0", render.WindowConfig{Windowed: true, Width: 960, Height: 540, Place: true}, true},
		{"960", render.WindowConfig{}, false},
		{"0x540", render.WindowConfig{}, false},
		{"960x540+5", render.WindowConfig{}, false},
		{"960x540+5+6junk", render.WindowConfig{}, false},
		{"big", render.WindowConfig{}, false},
	}
	for _, tt := range tests {
		var got render.WindowConfig
		err := parseGeometry(tt.in, &got)
		same := got.Windowed == tt.want.Windowed && got.Width == tt.want.Width && got.Height == tt.want.Height &&
			got.X == tt.want.X && got.Y == tt.want.Y && got.Place == tt.want.Place
		if (err == nil) != tt.ok || (tt.ok && !same) {
			t.Errorf("parseGeometry(%q) = %+v, %v; want %+v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

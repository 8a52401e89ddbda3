package primary

import (
	"testing"

	"dream/inputd/config"
)

func TestBeyond(t *testing.T) {
	r := rect{0, 0, 1920, 1080}
	for _, tt := range []struct {
		x, y int
		dir  config.Direction
		pos  float64
		ok   bool
	}{
		{100, 100, "", 0, false},
		{1919, 1079, "", 0, false},
		{1920, 0, config.Right, 0, true},
		{2000, 1079, config.Right, 1, true},
		{-1, 1079, config.Left, 1, true},
		{1919, -5, config.Up, 1, true},
		{0, 1080, config.Down, 0, true},
	} {
		dir, pos, ok := beyond(r, tt.x, tt.y)
		if dir != tt.dir || pos != tt.pos || ok != tt.ok {
			t.Errorf("beyond(%v, %d, %d) = %q, %v, %v; want %q, %v, %v", r, tt.x, tt.y, dir, pos, ok, tt.dir, tt.pos, tt.ok)
		}
	}
}

func TestEntry(t *testing.T) {
	r := rect{0, 0, 1281, 721}
	for _, tt := range []struct {
		dir  config.Direction
		pos  float64
		x, y int
	}{
		{config.Right, 0.5, 0, 360}, // from the left neighbour: its left edge
		{config.Left, 0, 1280, 0},   // from the right neighbour: its right edge
		{config.Down, 1, 1280, 0},   // from above: its top
		{config.Up, 0.25, 320, 720}, // from below: its bottom
	} {
		if x, y := entry(r, tt.dir, tt.pos); x != tt.x || y != tt.y {
			t.Errorf("entry(%v, %q, %v) = %d, %d; want %d, %d", r, tt.dir, tt.pos, x, y, tt.x, tt.y)
		}
	}
}

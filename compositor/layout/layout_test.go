package layout

import (
	"errors"
	"image"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSpan(t *testing.T) {
	tests := []struct {
		w, h, n int
		want    []Tile
	}{
		{5760, 1080, 3, []Tile{
			{1, image.Rect(0, 0, 1920, 1080)},
			{2, image.Rect(1920, 0, 3840, 1080)},
			{3, image.Rect(3840, 0, 5760, 1080)},
		}},
		{1920, 1080, 1, []Tile{{1, image.Rect(0, 0, 1920, 1080)}}},
		// Odd widths are cut evenly and rounded down to even sizes.
		{1001, 601, 2, []Tile{
			{1, image.Rect(0, 0, 500, 600)},
			{2, image.Rect(500, 0, 1000, 600)},
		}},
		{1000, 600, 3, []Tile{
			{1, image.Rect(0, 0, 332, 600)},
			{2, image.Rect(333, 0, 665, 600)},
			{3, image.Rect(666, 0, 998, 600)},
		}},
	}
	for _, tt := range tests {
		l, err := Span(tt.w, tt.h, tt.n)
		if err != nil {
			t.Fatalf("Span(%d, %d, %d): %v", tt.w, tt.h, tt.n, err)
		}
		if diff := cmp.Diff(tt.want, l.Tiles); diff != "" {
			t.Errorf("Span(%d, %d, %d) tiles (-want +got):\n%s", tt.w, tt.h, tt.n, diff)
		}
	}
}

func TestSpanErrors(t *testing.T) {
	for _, tt := range []struct{ w, h, n int }{
		{1920, 1080, 0}, {1920, 1080, -1}, {1920, 1080, MaxTiles + 1}, {40, 1080, 3}, {1920, 8, 1},
	} {
		if _, err := Span(tt.w, tt.h, tt.n); !errors.Is(err, ErrBadSpan) {
			t.Errorf("Span(%d, %d, %d) error = %v; want ErrBadSpan", tt.w, tt.h, tt.n, err)
		}
	}
}

func TestTile(t *testing.T) {
	l, _ := Span(300, 100, 3)
	if tile, ok := l.Tile(2); !ok || tile.Rect != image.Rect(100, 0, 200, 100) {
		t.Errorf("Tile(2) = %v, %v; want 100,0-200,100", tile, ok)
	}
	for _, n := range []int{0, 4, -1} {
		if _, ok := l.Tile(n); ok {
			t.Errorf("Tile(%d) found; want none", n)
		}
	}
}

func TestDamage(t *testing.T) {
	l, _ := Span(300, 100, 3)
	none := image.Rectangle{}
	tests := []struct {
		name  string
		rects []image.Rectangle
		want  []image.Rectangle
	}{
		{"none", nil, []image.Rectangle{none, none, none}},
		{"inside 2", []image.Rectangle{image.Rect(120, 10, 130, 20)}, []image.Rectangle{none, image.Rect(120, 10, 130, 20), none}},
		{"across 1 and 2", []image.Rectangle{image.Rect(99, 0, 101, 1)},
			[]image.Rectangle{image.Rect(99, 0, 100, 1), image.Rect(100, 0, 101, 1), none}},
		{"touching is not overlapping", []image.Rectangle{image.Rect(90, 0, 100, 10)}, []image.Rectangle{image.Rect(90, 0, 100, 10), none, none}},
		{"two in one tile are unioned", []image.Rectangle{image.Rect(0, 0, 1, 1), image.Rect(50, 50, 60, 60)},
			[]image.Rectangle{image.Rect(0, 0, 60, 60), none, none}},
		{"whole screen", []image.Rectangle{image.Rect(0, 0, 300, 100)}, []image.Rectangle{l.Tiles[0].Rect, l.Tiles[1].Rect, l.Tiles[2].Rect}},
		{"off screen", []image.Rectangle{image.Rect(400, 0, 500, 10)}, []image.Rectangle{none, none, none}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dirty := make([]image.Rectangle, 3)
			l.Damage(tt.rects, dirty)
			if diff := cmp.Diff(tt.want, dirty); diff != "" {
				t.Errorf("Damage(%v) (-want +got):\n%s", tt.rects, diff)
			}
		})
	}
}

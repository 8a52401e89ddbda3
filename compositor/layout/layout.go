package layout

import (
	"errors"
	"fmt"
	"image"
)

// MaxTiles bounds a span: more columns than this is a typing mistake, not a wall of
// screens.
const MaxTiles = 32

// ErrBadSpan is returned for a span that cannot cut the screen.
var ErrBadSpan = errors.New("bad span")

// Tile is one client screen's part of the X screen.
type Tile struct {
	Number int             // 1-based
	Rect   image.Rectangle // in X screen coordinates
}

// Layout is the set of tiles cut from one screen.
type Layout struct {
	Screen image.Rectangle
	Tiles  []Tile
}

// Span cuts a w×h screen into n equal columns.
func Span(w, h, n int) (Layout, error) {
	if n < 1 || n > MaxTiles {
		return Layout{}, fmt.Errorf("span %d: want 1 to %d tiles: %w", n, MaxTiles, ErrBadSpan)
	}
	tw, th := (w/n)&^1, h&^1
	if tw < 16 || th < 16 {
		return Layout{}, fmt.Errorf("span %d of a %dx%d screen gives %dx%d tiles, smaller than 16x16: %w", n, w, h, tw, th, ErrBadSpan)
	}
	l := Layout{Screen: image.Rect(0, 0, w, h), Tiles: make([]Tile, n)}
	for i := range l.Tiles {
		l.Tiles[i] = Tile{Number: i + 1, Rect: image.Rect(i*(w/n), 0, i*(w/n)+tw, th)}
	}
	return l, nil
}

// Tile returns the tile numbered n (1-based).
func (l Layout) Tile(n int) (Tile, bool) {
	if n < 1 || n > len(l.Tiles) {
		return Tile{}, false
	}
	return l.Tiles[n-1], true
}

// Damage adds rects to the tiles they touch: dirty[i] grows to cover the part of
// every rectangle that lies in tile i (screen coordinates; empty means untouched).
// dirty must have one entry per tile; what it holds already stays, so the damage
// of several rounds can be unioned into one.
func (l Layout) Damage(rects []image.Rectangle, dirty []image.Rectangle) {
	for _, r := range rects {
		for i, t := range l.Tiles {
			if part := r.Intersect(t.Rect); !part.Empty() {
				dirty[i] = dirty[i].Union(part)
			}
		}
	}
}

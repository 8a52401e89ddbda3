package compositor

import (
	"bytes"
	"encoding/binary"
	"image"
)

// cellSize is the side of the square cells a tile is cut into: changes are
// found, and lanes chosen, per cell.
const cellSize = 64

// shadow is a tile's picture as the desktop last showed it (B,G,R,X), the
// exact pixels patches are cut from. New pixels are compared with it, so that
// only what really changed is sent: X damage covers whatever an application
// redrew, changed or not.
type shadow struct {
	w, h   int
	stride int
	pix    []byte
	cols   int // cells across
	rows   int // cells down
	// Per tick: each cell's box of changed pixels (tile coordinates; empty
	// for none), and the cells with one, in the order found.
	boxes   []image.Rectangle
	touched []int
}

func newShadow(w, h int) *shadow {
	cols, rows := (w+cellSize-1)/cellSize, (h+cellSize-1)/cellSize
	return &shadow{w: w, h: h, stride: 4 * w, pix: make([]byte, 4*w*h), cols: cols, rows: rows,
		boxes: make([]image.Rectangle, cols*rows)}
}

// cellRect is cell c's rectangle in the tile.
func (s *shadow) cellRect(c int) image.Rectangle {
	x, y := c%s.cols*cellSize, c/s.cols*cellSize
	return image.Rect(x, y, min(x+cellSize, s.w), min(y+cellSize, s.h))
}

// reset forgets the last tick's boxes.
func (s *shadow) reset() {
	for _, c := range s.touched {
		s.boxes[c] = image.Rectangle{}
	}
	s.touched = s.touched[:0]
}

// apply compares the pixels grabbed for r (tile coordinates; rows of B,G,R,X
// stride bytes apart) with the shadow, copies what differs into it, and grows
// the boxes of the cells where something did.
func (s *shadow) apply(r image.Rectangle, pix []byte, stride int) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		src := pix[(y-r.Min.Y)*stride:]
		dst := s.pix[y*s.stride:]
		cy := y / cellSize * s.cols
		for x0 := r.Min.X; x0 < r.Max.X; {
			x1 := min(r.Max.X, (x0/cellSize+1)*cellSize)
			a := src[4*(x0-r.Min.X) : 4*(x1-r.Min.X)]
			b := dst[4*x0 : 4*x1]
			if !bytes.Equal(a, b) {
				first, last := diffSpan(a, b)
				copy(b, a)
				c := cy + x0/cellSize
				box := image.Rect(x0+first, y, x0+last+1, y+1)
				if s.boxes[c].Empty() {
					s.touched = append(s.touched, c)
					s.boxes[c] = box
				} else {
					s.boxes[c] = s.boxes[c].Union(box)
				}
			}
			x0 = x1
		}
	}
}

// diffSpan gives the first and last pixel where a and b (equal lengths,
// 4 bytes a pixel, known to differ) differ.
func diffSpan(a, b []byte) (first, last int) {
	n := len(a) / 4
	for first = 0; first < n; first++ {
		if binary.LittleEndian.Uint32(a[4*first:]) != binary.LittleEndian.Uint32(b[4*first:]) {
			break
		}
	}
	for last = n - 1; last > first; last-- {
		if binary.LittleEndian.Uint32(a[4*last:]) != binary.LittleEndian.Uint32(b[4*last:]) {
			break
		}
	}
	return first, last
}

// at is the shadow's pixels from r's corner on, and their stride.
func (s *shadow) at(r image.Rectangle) ([]byte, int) {
	return s.pix[r.Min.Y*s.stride+4*r.Min.X:], s.stride
}

// mergeRects joins rectangles that touch or nearly do, when their union does
// not cover much more than they do, so that a line of changed glyphs goes as
// one patch rather than one per cell. It works in place and returns the
// result. Past a few dozen rectangles it compares only neighbours in the
// order given (cells are found row by row).
func mergeRects(rs []image.Rectangle) []image.Rectangle {
	const near = 8 // pixels apart that still count as touching
	for merged := true; merged && len(rs) > 1; {
		merged = false
		for i := 0; i < len(rs); i++ {
			for j := i + 1; j < len(rs) && (len(rs) <= 48 || j < i+4); j++ {
				a, b := rs[i], rs[j]
				if !a.Inset(-near).Overlaps(b) {
					continue
				}
				u := a.Union(b)
				if area(u) > area(a)+area(b)+area(a.Intersect(b))+cellSize*cellSize/2 && area(u)*2 > 3*(area(a)+area(b)) {
					continue
				}
				rs[i] = u
				rs = append(rs[:j], rs[j+1:]...)
				merged = true
				j--
			}
		}
	}
	return rs
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

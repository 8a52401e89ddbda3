package primary

import "dream/inputd/config"

// rect is a screen's area in its own coordinates.
type rect struct{ x, y, w, h int }

func (r rect) centre() (int, int) { return r.x + r.w/2, r.y + r.h/2 }

// beyond says through which edge of r the point x, y lies outside it, and
// where along that edge (0 at the top or left, 1 at the bottom or right). ok is
// false while the point is inside.
func beyond(r rect, x, y int) (dir config.Direction, pos float64, ok bool) {
	switch {
	case x < r.x:
		dir = config.Left
	case x >= r.x+r.w:
		dir = config.Right
	case y < r.y:
		dir = config.Up
	case y >= r.y+r.h:
		dir = config.Down
	default:
		return "", 0, false
	}
	return dir, along(r, dir, x, y), true
}

// along is where x, y lies along r's edge dir, 0 to 1.
func along(r rect, dir config.Direction, x, y int) float64 {
	var p float64
	if dir == config.Left || dir == config.Right {
		p = float64(clamp(y, r.y, r.y+r.h-1)-r.y) / float64(max(r.h-1, 1))
	} else {
		p = float64(clamp(x, r.x, r.x+r.w-1)-r.x) / float64(max(r.w-1, 1))
	}
	return p
}

// entry is where the pointer appears on screen r when it comes in moving dir,
// at pos along the edge it crosses: leaving a screen rightwards enters r at
// its left edge.
func entry(r rect, dir config.Direction, pos float64) (x, y int) {
	ex := r.x + int(pos*float64(r.w-1)+0.5)
	ey := r.y + int(pos*float64(r.h-1)+0.5)
	switch dir {
	case config.Right:
		return r.x, ey
	case config.Left:
		return r.x + r.w - 1, ey
	case config.Down:
		return ex, r.y
	default:
		return ex, r.y + r.h - 1
	}
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

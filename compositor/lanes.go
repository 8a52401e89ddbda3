package compositor

import (
	"image"
	"math"
	"time"
)

// Lane choice, per cell. A cell is hot when it changed hotChanges times within
// hotWindow, a good part of it each time (hotPart on average: a video plays,
// a window is dragged, text scrolls; a typed glyph or a cursor is a few dozen
// pixels of it). A tile goes to video when its hot cells cover at least
// videoArea pixels and sending them as patches costs more than video would:
// videoBytes a second, or videoCPU of a core to code them. It stays there
// while its hot cells cover half of videoArea, and their changes are then sent
// as video. Everything else goes as exact patches: typing, a menu, a hover, a
// clock, text that scrolls in a terminal. A cell whose viewers hold it coarse
// (from the video, or a JPEG first version) gets its exact pixels once it has
// been still for settle. Chosen by measuring: see README.md.
const (
	hotChanges = 4
	hotWindow  = 250 * time.Millisecond
	hotPart    = 0.25 // of a cell
	videoArea  = 256 * 256
	videoBytes = 1.5e6 // a second: 12 Mbit/s, several times a 1080p tile's video in motion
	videoCPU   = 0.25  // of a core
	settle     = 100 * time.Millisecond
	// costWindow is how long the cost of hot patches is averaged over.
	costWindow = 250 * time.Millisecond
)

// lanes is a tile's per-cell history: when each cell changed, and which
// cells viewers hold coarse.
type lanes struct {
	s       *shadow
	changes [][hotChanges]time.Time // each cell's latest changes, a ring
	areas   [][hotChanges]int32     // and the pixels each changed
	next    []uint8                 // where each ring writes next
	last    []time.Time             // each cell's latest change
	lossy   []image.Rectangle       // the part of each cell viewers hold coarse
	nLossy  int                     // cells with a coarse part
	video   bool                    // the tile is in video
	// What hot cells' patches cost lately: bytes and coding time, decaying
	// over costWindow (so the rate is the sum over costWindow).
	hotBytes, hotNanos float64
	costAt             time.Time
}

func newLanes(s *shadow) *lanes {
	n := s.cols * s.rows
	return &lanes{s: s, changes: make([][hotChanges]time.Time, n), areas: make([][hotChanges]int32, n), next: make([]uint8, n),
		last: make([]time.Time, n), lossy: make([]image.Rectangle, n)}
}

// record notes that the cells the shadow found changed did so at now.
func (l *lanes) record(now time.Time) {
	for _, c := range l.s.touched {
		l.changes[c][l.next[c]] = now
		l.areas[c][l.next[c]] = int32(area(l.s.boxes[c]))
		l.next[c] = (l.next[c] + 1) % hotChanges
		l.last[c] = now
	}
}

// hot reports whether cell c changed hotChanges times within hotWindow of
// now, hotPart of it on average.
func (l *lanes) hot(c int, now time.Time) bool {
	oldest := l.changes[c][l.next[c]] // the ring's next slot holds its oldest
	if oldest.IsZero() || now.Sub(oldest) >= hotWindow {
		return false
	}
	sum := 0
	for _, a := range l.areas[c] {
		sum += int(a)
	}
	return float64(sum) >= hotPart*hotChanges*cellSize*cellSize
}

// cost adds what a patch of r cost (its bytes and the time to code it) to the
// hot patches' cost, if r touches a hot cell.
func (l *lanes) cost(r image.Rectangle, bytes int, took time.Duration, now time.Time) {
	hot := false
	l.eachCell(r, func(c int, _ image.Rectangle) { hot = hot || l.hot(c, now) })
	if hot {
		l.decay(now)
		l.hotBytes += float64(bytes)
		l.hotNanos += float64(took)
	}
}

// decay ages the hot patches' cost to now.
func (l *lanes) decay(now time.Time) {
	if !l.costAt.IsZero() {
		f := math.Exp(-float64(now.Sub(l.costAt)) / float64(costWindow))
		l.hotBytes *= f
		l.hotNanos *= f
	}
	l.costAt = now
}

// costly reports whether hot patches cost more lately than video would.
func (l *lanes) costly(now time.Time) bool {
	l.decay(now)
	window := costWindow.Seconds()
	return l.hotBytes/window >= videoBytes || l.hotNanos/float64(costWindow) >= videoCPU
}

// split sorts this tick's changed boxes into the video lane and the patch
// lane, appending to each, after deciding whether the tile is in video.
func (l *lanes) split(now time.Time, video, patch []image.Rectangle) ([]image.Rectangle, []image.Rectangle) {
	hot := 0
	for c := range l.last {
		if now.Sub(l.last[c]) < hotWindow && l.hot(c, now) {
			hot += area(l.s.cellRect(c))
		}
	}
	if l.video {
		l.video = hot >= videoArea/2
	} else {
		l.video = hot >= videoArea && l.costly(now)
	}
	for _, c := range l.s.touched {
		if l.video && l.hot(c, now) {
			video = append(video, l.s.boxes[c])
		} else {
			patch = append(patch, l.s.boxes[c])
		}
	}
	return video, patch
}

// coarse notes that viewers now hold r coarse.
func (l *lanes) coarse(r image.Rectangle) {
	l.eachCell(r, func(c int, part image.Rectangle) {
		if l.lossy[c].Empty() {
			l.nLossy++
			l.lossy[c] = part
		} else {
			l.lossy[c] = l.lossy[c].Union(part)
		}
	})
}

// exact notes that viewers now hold r exact.
func (l *lanes) exact(r image.Rectangle) {
	if l.nLossy == 0 {
		return
	}
	l.eachCell(r, func(c int, part image.Rectangle) {
		if !l.lossy[c].Empty() && l.lossy[c].In(part) {
			l.lossy[c] = image.Rectangle{}
			l.nLossy--
		}
	})
}

// settled appends the coarse parts of the cells that have been still for
// settle, up to about budget pixels, and forgets them (the caller sends them
// exact); the others wait for a later call.
func (l *lanes) settled(now time.Time, dst []image.Rectangle, budget int) []image.Rectangle {
	if l.nLossy == 0 {
		return dst
	}
	for c, r := range l.lossy {
		if budget <= 0 {
			break
		}
		if !r.Empty() && !now.Before(l.last[c].Add(settle)) {
			budget -= area(r)
			dst = append(dst, r)
			l.lossy[c] = image.Rectangle{}
			l.nLossy--
		}
	}
	return dst
}

// due is when the next coarse cell settles (zero if none is coarse).
func (l *lanes) due() (at time.Time) {
	if l.nLossy == 0 {
		return time.Time{}
	}
	for c, r := range l.lossy {
		if r.Empty() {
			continue
		}
		if t := l.last[c].Add(settle); at.IsZero() || t.Before(at) {
			at = t
		}
	}
	return at
}

// eachCell calls f with each cell r touches and the part of r in it.
func (l *lanes) eachCell(r image.Rectangle, f func(c int, part image.Rectangle)) {
	r = r.Intersect(image.Rect(0, 0, l.s.w, l.s.h))
	if r.Empty() {
		return
	}
	for cy := r.Min.Y / cellSize; cy <= (r.Max.Y-1)/cellSize; cy++ {
		for cx := r.Min.X / cellSize; cx <= (r.Max.X-1)/cellSize; cx++ {
			c := cy*l.s.cols + cx
			f(c, r.Intersect(l.s.cellRect(c)))
		}
	}
}

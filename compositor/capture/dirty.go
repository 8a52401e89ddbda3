package capture

import (
	"image"

	"github.com/jezek/xgb/damage"
	"github.com/jezek/xgb/xfixes"
)

// Dirty returns the screen rectangles changed since the previous call,
// appended to dst[:0], and marks them clean, which re-arms Damaged. The
// rectangles do not overlap. It costs one round trip to the X server.
func (s *Source) Dirty(dst []image.Rectangle) ([]image.Rectangle, error) {
	dst = dst[:0]
	s.dirtyMu.Lock()
	defer s.dirtyMu.Unlock()
	select {
	case <-s.done:
		return dst, s.err
	default:
	}
	// Repair 0 (None) takes all damage and leaves the object empty; the
	// damage goes into s.region. Swapping the two returns nothing.
	sub := damage.Subtract(s.conn, s.dmg, 0, s.region)
	s.subtract(s.seq.sent(sub.Sequence))
	fetch := xfixes.FetchRegion(s.conn, s.region)
	s.seq.sent(fetch.Sequence)
	reply, err := fetch.Reply()
	if err != nil {
		return dst, s.failed("fetch damaged region", err)
	}
	for _, r := range reply.Rectangles {
		x, y := int(r.X), int(r.Y)
		dst = append(dst, image.Rect(x, y, x+int(r.Width), y+int(r.Height)))
	}
	return dst, nil
}

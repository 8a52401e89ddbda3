package capture

import "sync/atomic"

// sequence widens the X protocol's 16-bit request sequence numbers to int64,
// so that a DamageNotify can be placed before or after a Subtract even after
// the 16-bit counter wraps.
//
// Every request this package sends reports its sequence number through sent;
// xgb's own occasional round trips are not seen, which is harmless as long
// as fewer than 32768 requests go by unseen.
type sequence struct {
	last atomic.Int64 // widest sequence number sent so far
}

// sent records the sequence number of a request just sent and returns it
// widened.
func (q *sequence) sent(seq uint16) int64 {
	for {
		cur := q.last.Load()
		full := widen(cur, seq)
		if full <= cur || q.last.CompareAndSwap(cur, full) {
			return full
		}
	}
}

// widen returns the sequence number of an event or reply carrying seq: the
// value nearest to the last request sent that has seq as its low 16 bits.
func (q *sequence) widen(seq uint16) int64 { return widen(q.last.Load(), seq) }

func widen(ref int64, seq uint16) int64 {
	return ref + int64(int16(seq-uint16(ref)))
}

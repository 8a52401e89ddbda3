package client

import (
	"time"
)

// reorderSlots bounds the packets held while one is missing: more than a
// 1080p keyframe's.
const reorderSlots = 1024

// reorder puts RTP packets back in sequence order and holds the ones after a
// gap for a while, so that a lost packet, asked for again (NACK), can still
// take its place. On a clean link it holds nothing: a packet in order goes
// straight through. A missing packet is given up on after hold; the packets
// behind it then go on, and the assembler sees the gap.
type reorder struct {
	started bool
	next    uint16 // the sequence number to release next
	newest  uint16 // the newest sequence number held
	held    int
	slots   [reorderSlots]struct {
		used bool
		seq  uint16
		at   time.Time // when it came
		data []byte
	}
	missingSince time.Time   // when next was first missed; zero while nothing is
	asked        time.Time   // when the missing packets were last asked for
	counts       *lossCounts // packets given up on (lost) and come late into a gap (filled)
}

// inOrder reports whether seq is the packet to release next with nothing
// held: then it need not be copied.
func (r *reorder) inOrder(seq uint16) bool {
	if !r.started {
		r.started, r.next = true, seq
	}
	if r.held == 0 && seq == r.next {
		r.next++
		return true
	}
	return false
}

// add holds a copy of a packet that is not next (inOrder said so). It
// returns false for one already released or held, or too far ahead to hold
// (then everything held is given up on and it becomes the next: a jump of
// the sender's numbering).
func (r *reorder) add(seq uint16, data []byte, now time.Time) bool {
	d := int16(seq - r.next)
	switch {
	case d < 0:
		return false // late: already released or given up on
	case int(d) >= reorderSlots:
		r.counts.lost.Add(uint64(r.held))
		r.clear()
		r.next = seq
	}
	s := &r.slots[seq%reorderSlots]
	if s.used {
		return false // a repeat
	}
	if r.held > 0 && int16(seq-r.newest) < 0 {
		r.counts.filled.Add(1)
	}
	s.used, s.seq, s.at = true, seq, now
	s.data = append(s.data[:0], data...)
	if r.held == 0 || int16(seq-r.newest) > 0 {
		r.newest = seq
	}
	r.held++
	if r.missingSince.IsZero() && seq != r.next {
		r.missingSince, r.asked = now, time.Time{}
	}
	return true
}

// pop releases the next packet held, in order; a missing one is skipped once
// it has been missed for hold. ok is false when nothing can go yet.
func (r *reorder) pop(now time.Time, hold time.Duration) (seq uint16, data []byte, ok bool) {
	for r.held > 0 {
		s := &r.slots[r.next%reorderSlots]
		if s.used && s.seq == r.next {
			s.used = false
			r.held--
			r.next++
			r.missingSince = time.Time{}
			if r.held > 0 && !r.slots[r.next%reorderSlots].used {
				r.missingSince, r.asked = r.gapSeen(), time.Time{} // the next gap
			}
			return s.seq, s.data, true
		}
		if now.Sub(r.missingSince) < hold {
			return 0, nil, false
		}
		r.counts.lost.Add(1) // given up on: the assembler sees the gap
		r.next++
		if r.slots[r.next%reorderSlots].used {
			r.missingSince = time.Time{}
		}
	}
	r.missingSince = time.Time{}
	return 0, nil, false
}

// missing lists the sequence numbers not yet received between the next and
// the newest held, into dst: the ones to ask for.
func (r *reorder) missing(dst []uint16) []uint16 {
	dst = dst[:0]
	if r.held == 0 {
		return dst
	}
	for seq := r.next; seq != r.newest; seq++ {
		if s := &r.slots[seq%reorderSlots]; !s.used || s.seq != seq {
			dst = append(dst, seq)
		}
	}
	return dst
}

// waiting reports whether a packet is missing, and since when.
func (r *reorder) waiting() (since time.Time, ok bool) {
	return r.missingSince, r.held > 0 && !r.missingSince.IsZero()
}

// ask reports whether to ask for the missing packets now: at once when a
// gap opens, then every retry while it stays open.
func (r *reorder) ask(now time.Time, retry time.Duration) bool {
	if _, ok := r.waiting(); !ok {
		return false
	}
	if r.asked.IsZero() || now.Sub(r.asked) >= retry {
		r.asked = now
		return true
	}
	return false
}

// nextAsk is when ask will say yes again (zero: nothing is missing).
func (r *reorder) nextAsk(retry time.Duration) time.Time {
	if _, ok := r.waiting(); !ok || r.asked.IsZero() {
		return time.Time{}
	}
	return r.asked.Add(retry)
}

// gapSeen is when the packet missing at next was first missed: when the
// first packet held after it came.
func (r *reorder) gapSeen() time.Time {
	for seq := r.next; seq != r.newest+1; seq++ {
		if s := &r.slots[seq%reorderSlots]; s.used && s.seq == seq {
			return s.at
		}
	}
	return time.Time{}
}

func (r *reorder) clear() {
	for i := range r.slots {
		r.slots[i].used = false
	}
	r.held = 0
	r.missingSince = time.Time{}
}

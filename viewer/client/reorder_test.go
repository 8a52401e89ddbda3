package client

import (
	"fmt"
	"testing"
	"time"
)

// feed gives r the packets seqs at now, as the reader does, and returns what
// it releases, in order.
func feed(r *reorder, now time.Time, hold time.Duration, seqs ...uint16) []uint16 {
	var out []uint16
	drain := func() {
		for {
			s, data, ok := r.pop(now, hold)
			if !ok {
				break
			}
			if data[0] != byte(s) {
				panic(fmt.Sprintf("packet %d released with packet %d's data", s, data[0]))
			}
			out = append(out, s)
		}
	}
	for _, seq := range seqs {
		if r.inOrder(seq) {
			out = append(out, seq)
		} else {
			r.add(seq, []byte{byte(seq)}, now)
		}
		drain()
	}
	drain()
	return out
}

func TestReorder(t *testing.T) {
	t0 := time.Now()
	const hold = 20 * time.Millisecond
	check := func(what string, got []uint16, want ...uint16) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: released %v; want %v", what, got, want)
		}
	}
	r := &reorder{counts: &lossCounts{}}
	check("in order", feed(r, t0, hold, 10, 11, 12), 10, 11, 12)
	check("a gap holds what follows", feed(r, t0, hold, 14, 15), nil...)
	if m := r.missing(nil); fmt.Sprint(m) != "[13]" {
		t.Errorf("missing %v; want [13]", m)
	}
	if !r.ask(t0, 5*time.Millisecond) || r.ask(t0.Add(time.Millisecond), 5*time.Millisecond) || !r.ask(t0.Add(5*time.Millisecond), 5*time.Millisecond) {
		t.Error("ask: want yes at once, no a moment later, yes again after the retry interval")
	}
	check("the missing packet fills it", feed(r, t0.Add(time.Millisecond), hold, 13), 13, 14, 15)
	check("repeats and late packets are dropped", feed(r, t0, hold, 14, 13, 16), 16)

	check("another gap", feed(r, t0, hold, 18, 20), nil...)
	check("held while the wait lasts", feed(r, t0.Add(hold-time.Millisecond), hold), nil...)
	check("given up on after the wait, one gap after the other", feed(r, t0.Add(hold), hold), 18, 20)
	if n := r.counts.lost.Load(); n != 2 {
		t.Errorf("lost = %d; want 2 (17 and 19)", n)
	}
	if _, waiting := r.waiting(); waiting {
		t.Error("still waiting with nothing held")
	}

	r = &reorder{counts: &lossCounts{}}
	check("numbers wrap around", feed(r, t0, hold, 65534, 65535, 1, 0), 65534, 65535, 0, 1)
	check("a jump far ahead starts again there", feed(r, t0, hold, 5000, 5001), 5000, 5001)
}

func BenchmarkReorderInOrder(b *testing.B) {
	r := &reorder{counts: &lossCounts{}}
	for i := range b.N {
		if !r.inOrder(uint16(i)) {
			b.Fatal("not in order")
		}
	}
}

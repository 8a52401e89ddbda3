package bench

import (
	"context"
	"testing"
	"time"
)

// TestTypingQuick runs the typing scenario briefly (the bench's quick mode):
// every keystroke comes back as a change the viewer decodes, and its parts add
// up. It measures; it does not judge the times.
func TestTypingQuick(t *testing.T) {
	for _, full := range []bool{false, true} {
		r, err := Typing(context.Background(), TypingConfig{Codec: "h264", Samples: 5, Full: full})
		if err != nil {
			t.Fatalf("full screen %v: %v", full, err)
		}
		if len(r.Samples) != 5 {
			t.Fatalf("full screen %v: %d samples; want 5", full, len(r.Samples))
		}
		for i, s := range r.Samples {
			if s.Input <= 0 || s.Output <= 0 || s.Total < s.Input+s.Output-time.Millisecond {
				t.Errorf("full screen %v, keystroke %d: %+v: the parts do not add up", full, i, s)
			}
		}
		t.Logf("full screen %v: p50 total %v (input %v, output %v)", full,
			r.Percentile(50, func(l Latency) time.Duration { return l.Total }),
			r.Percentile(50, func(l Latency) time.Duration { return l.Input }),
			r.Percentile(50, func(l Latency) time.Duration { return l.Output }))
	}
}

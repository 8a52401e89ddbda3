package bench

import (
	"context"
	"testing"
	"time"
)

// TestTypingXpraQuick types into xpra's client (Debian's xpra, shadowing the
// bench's desktop) and sees every keystroke's picture come back.
func TestTypingXpraQuick(t *testing.T) {
	r, err := TypingXpra(context.Background(), TypingConfig{Samples: 5, Content: Photo, Link: Link{Delay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Samples) != 5 {
		t.Fatalf("%d samples; want 5", len(r.Samples))
	}
	for i, s := range r.Samples {
		if s.Input <= 0 || s.Output <= 0 || s.Total < s.Input+s.Output-time.Millisecond {
			t.Errorf("keystroke %d: %+v: the parts do not add up", i, s)
		}
	}
	t.Logf("p50 %v, server %+v", r.Percentile(50, total), r.Server)
}

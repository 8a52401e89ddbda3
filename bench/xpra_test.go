package bench

import (
	"context"
	"testing"
	"time"
)

// TestTypingXpraQuick types into xpra's client (Debian's xpra, shadowing the
// bench's desktop) and sees the keystrokes' pictures come back. xpra is a
// peer, measured as it is: a keystroke it misses under load (seen on a busy
// machine) is counted, not a failure; one seen at least is wanted.
func TestTypingXpraQuick(t *testing.T) {
	r, err := TypingXpra(context.Background(), TypingConfig{Samples: 5, Content: Photo, Link: Link{Delay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Samples) == 0 || len(r.Samples)+r.Missed != 5 {
		t.Fatalf("%d keystrokes seen and %d missed; want 5 counted, at least one seen", len(r.Samples), r.Missed)
	}
	for i, s := range r.Samples {
		if s.Input <= 0 || s.Output <= 0 || s.Total < s.Input+s.Output-time.Millisecond {
			t.Errorf("keystroke %d: %+v: the parts do not add up", i, s)
		}
	}
	t.Logf("p50 %v, %d missed, server %+v", r.Percentile(50, total), r.Missed, r.Server)
}

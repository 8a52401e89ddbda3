package encode

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	var c clock
	ms, dur := c.tick(50)
	if ms != 0 || dur != 20 {
		t.Errorf("first tick(50) = %d, %d; want 0, 20", ms, dur)
	}
	// Frames faster than the frame rate still advance by one interval.
	ms, dur = c.tick(50)
	if ms != 20 || dur != 20 {
		t.Errorf("immediate second tick(50) = %d, %d; want 20, 20", ms, dur)
	}
	// A frame after a long pause stands for at most maxFrameMs.
	c.start = c.start.Add(-5 * time.Second)
	ms, dur = c.tick(50)
	if ms < 5000 || dur != maxFrameMs {
		t.Errorf("tick after 5 s = %d, %d; want ≥ 5000, %d", ms, dur, maxFrameMs)
	}
}

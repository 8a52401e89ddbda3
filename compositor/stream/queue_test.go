package stream

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"dream/compositor/inject/injecttest"
)

// stuck is a desktop whose X server stops answering until released.
type stuck struct {
	injecttest.Recorder
	gate chan struct{}
}

func (s *stuck) Key(keysym uint32, down bool) error {
	<-s.gate
	return s.Recorder.Key(keysym, down)
}

// TestQueueStuckDesktop: a desktop that stops answering never holds up the
// caller (pion's goroutine); motion is refused first, keys only once the
// queue is full, and then everything is released after what was queued, so
// no key stays down; the order is kept.
func TestQueueStuckDesktop(t *testing.T) {
	in := &stuck{gate: make(chan struct{})}
	var failures int
	q := newInputQueue(in, func(error) { failures++ })
	if err := q.Key('a', true); err != nil { // the worker takes it and waits on the X server
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)

	start := time.Now()
	var motionRefused, keysRefused int
	for i := range motionLimit + 10 { // alternating, so that no motion merges
		if err := q.Move(i, i); err != nil {
			if !errors.Is(err, errDropped) {
				t.Fatalf("Move refused with %v; want errDropped", err)
			}
			motionRefused++
		}
		if err := q.Key('b', i%2 == 0); err != nil {
			t.Fatalf("a key was refused with %d inputs waiting (%v); keys have room until the queue is full", len(q.ops), err)
		}
	}
	for range queueSize {
		if err := q.Key('c', true); err != nil {
			keysRefused++
		}
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("queueing %d inputs to a stuck desktop took %v; want no waiting", 2*motionLimit+queueSize, took)
	}
	if motionRefused != 10 || keysRefused == 0 {
		t.Errorf("refused %d motions and %d keys; want the 10 motions past %d and some keys once full", motionRefused, keysRefused, motionLimit)
	}

	close(in.gate) // the X server answers again
	flush(q)
	ev := events(&in.Recorder)
	if n := 1 + motionLimit + (motionLimit + 10) + (queueSize - keysRefused) + 1; len(ev) != n || ev[0] != "Key(0x61, true)" || ev[len(ev)-1] != "ReleaseAll()" {
		k := min(len(ev), 3)
		t.Errorf("applied %d inputs (want %d), first %q, last %q; want the first key first, and a release of everything last", len(ev), n, ev[:k], ev[len(ev)-k:])
	}
	q.Close()
	q.wait()
	if err := q.Key('d', true); err == nil {
		t.Error("a key after Close was queued")
	}
}

// TestQueueMergesMotion: motion waiting at the queue's tail is merged (the
// newest position wins, relative moves add up) and never jumps ahead of a
// key.
func TestQueueMergesMotion(t *testing.T) {
	in := &stuck{gate: make(chan struct{})}
	q := newInputQueue(in, nil)
	q.Key('a', true) // holds the worker
	time.Sleep(20 * time.Millisecond)
	q.Move(1, 1)
	q.Move(2, 2)
	q.Key('a', false)
	q.MoveBy(1, 0)
	q.MoveBy(2, 5)
	q.Move(9, 9)
	close(in.gate)
	q.Close()
	q.wait()
	want := []string{"Key(0x61, true)", "Move(2, 2)", "Key(0x61, false)", "MoveBy(3, 5)", "Move(9, 9)", "Close()"}
	if got := events(&in.Recorder); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("applied %q; want %q", got, want)
	}
}

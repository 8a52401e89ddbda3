package stream

import (
	"errors"
	"fmt"
	"sync"
)

// Bounds of a session's input queue. A burst of typing or clicks fits many
// times over; motion stops being queued (it is dropped, and counted) once a
// quarter of the queue waits, so keys always have room while the desktop
// catches up.
const (
	queueSize   = 1024
	motionLimit = queueSize / 4
)

// opKind is what a queued input does.
type opKind uint8

const (
	opKey opKind = iota
	opButton
	opWheel
	opMove
	opMoveBy
	opText
	opReleaseAll
	opDo
	opClose
)

// op is one input waiting to be applied.
type op struct {
	kind opKind
	down bool
	code uint32 // keysym or button
	x, y int
	text string
	do   func(Input) error
}

// inputQueue is one viewer's input on its way to the desktop: the data
// channels' goroutines (pion's) only append to it, and a goroutine of its
// own applies it, in order, so that an X server that is slow or stuck never
// holds up the network. It is an Input: each call queues and returns at
// once, an error only when the input was not queued. Errors in applying go
// to failed.
type inputQueue struct {
	in     Input
	failed func(error)

	mu        sync.Mutex
	ops       []op
	overflow  bool // input was refused: release everything once what was queued is applied
	closed    bool
	wake      chan struct{}
	done      chan struct{}
	spare     []op // the worker's batch, reused
	motionOps int  // motion ops waiting
}

func newInputQueue(in Input, failed func(error)) *inputQueue {
	q := &inputQueue{in: in, failed: failed, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go q.run()
	return q
}

// push queues o. Motion is merged into motion waiting at the tail (the
// newest place wins; relative moves add up) and refused once motionLimit
// ops wait; anything else is refused only when the queue is full, and then
// everything held is released once what was queued is applied, so a refused
// release cannot leave a key down.
func (q *inputQueue) push(o op) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return fmt.Errorf("%w: the viewer has gone", errDropped)
	}
	motion := o.kind == opMove || o.kind == opMoveBy
	if n := len(q.ops); motion && n > 0 {
		switch tail := &q.ops[n-1]; {
		case tail.kind == opMove && o.kind == opMove:
			tail.x, tail.y = o.x, o.y
			return nil
		case tail.kind == opMoveBy && o.kind == opMoveBy:
			tail.x, tail.y = tail.x+o.x, tail.y+o.y
			return nil
		}
	}
	switch {
	case motion && q.motionOps >= motionLimit:
		return fmt.Errorf("%w: %d motions wait for the desktop", errDropped, q.motionOps)
	case len(q.ops) >= queueSize && o.kind != opClose:
		q.overflow = true
		return fmt.Errorf("%w: %d inputs wait for the desktop (is the X server stuck?)", errDropped, len(q.ops))
	}
	if motion {
		q.motionOps++
	}
	q.ops = append(q.ops, o)
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return nil
}

// run applies the queue until Close has been applied.
func (q *inputQueue) run() {
	defer close(q.done)
	for range q.wake {
		q.mu.Lock()
		batch, overflow := q.ops, q.overflow
		q.ops, q.spare, q.overflow, q.motionOps = q.spare[:0], nil, false, 0
		q.mu.Unlock()
		for i := range batch {
			if batch[i].kind == opClose {
				q.report(q.in.Close())
				return
			}
			q.report(q.applyPatiently(&batch[i]))
			batch[i] = op{}
		}
		// Input was refused while the queue was full: after what came
		// before it (all of this batch: nothing more fitted), let go of
		// everything, since a refused release would leave its key down.
		if overflow {
			q.report(q.in.ReleaseAll())
		}
		q.mu.Lock()
		q.spare = batch[:0]
		q.mu.Unlock()
	}
}

// applyPatiently applies o, again and again while the desktop does not
// answer (a stopped or grabbed X server): an input waits for the desktop, it
// is not lost to it. The first wait is reported.
func (q *inputQueue) applyPatiently(o *op) error {
	for waited := false; ; waited = true {
		err := q.apply(o)
		var t interface{ Timeout() bool }
		if err == nil || !errors.As(err, &t) || !t.Timeout() {
			return err
		}
		if !waited {
			q.report(fmt.Errorf("%w; the input waits for it", err))
		}
	}
}

func (q *inputQueue) apply(o *op) error {
	switch o.kind {
	case opKey:
		return q.in.Key(o.code, o.down)
	case opButton:
		return q.in.Button(uint8(o.code), o.down)
	case opWheel:
		return q.in.Wheel(o.x, o.y)
	case opMove:
		return q.in.Move(o.x, o.y)
	case opMoveBy:
		return q.in.MoveBy(o.x, o.y)
	case opText:
		return q.in.Text(o.text)
	case opReleaseAll:
		return q.in.ReleaseAll()
	case opDo:
		return o.do(q.in)
	}
	return nil
}

func (q *inputQueue) report(err error) {
	if err != nil && q.failed != nil {
		q.failed(err)
	}
}

func (q *inputQueue) Key(keysym uint32, down bool) error {
	return q.push(op{kind: opKey, code: keysym, down: down})
}
func (q *inputQueue) Button(button uint8, down bool) error {
	return q.push(op{kind: opButton, code: uint32(button), down: down})
}
func (q *inputQueue) Wheel(dx, dy int) error  { return q.push(op{kind: opWheel, x: dx, y: dy}) }
func (q *inputQueue) Move(x, y int) error     { return q.push(op{kind: opMove, x: x, y: y}) }
func (q *inputQueue) MoveBy(dx, dy int) error { return q.push(op{kind: opMoveBy, x: dx, y: dy}) }
func (q *inputQueue) Text(s string) error     { return q.push(op{kind: opText, text: s}) }
func (q *inputQueue) ReleaseAll() error       { return q.push(op{kind: opReleaseAll}) }

// do queues f, to run in turn with the viewer's Input.
func (q *inputQueue) do(f func(Input) error) error { return q.push(op{kind: opDo, do: f}) }

// Close queues the end: what is queued is applied, then the Input is closed
// (everything it holds released). It does not wait; later input is refused.
func (q *inputQueue) Close() error {
	err := q.push(op{kind: opClose})
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	return err
}

// wait waits until the queue has closed its Input (tests, shutdown).
func (q *inputQueue) wait() { <-q.done }

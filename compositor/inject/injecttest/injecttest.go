// Package injecttest gives tests a fake of a viewer's input: a Recorder
// with the methods of inject.Client, which records each call instead of
// touching an X server.
//
//	rec := &injecttest.Recorder{}
//	// hand rec to the code under test where an *inject.Client would go
//	// (stream.Input), drive it, then:
//	want := []injecttest.Event{{Op: "Key", Keysym: 'a', Down: true}}
//	if diff := cmp.Diff(want, rec.Events()); diff != "" { ... }
package injecttest

import (
	"fmt"
	"sync"
)

// Event is one recorded call. Only the fields of its Op are set.
type Event struct {
	Op     string // "Key", "Button", "Wheel", "Move", "MoveBy", "Text", "ReleaseAll", "Close"
	Keysym uint32
	Button uint8
	Down   bool
	X, Y   int // Move's position; Wheel's and MoveBy's dx, dy
	Text   string
}

func (e Event) String() string {
	switch e.Op {
	case "Key":
		return fmt.Sprintf("Key(%#x, %v)", e.Keysym, e.Down)
	case "Button":
		return fmt.Sprintf("Button(%d, %v)", e.Button, e.Down)
	case "Wheel", "Move", "MoveBy":
		return fmt.Sprintf("%s(%d, %d)", e.Op, e.X, e.Y)
	case "Text":
		return fmt.Sprintf("Text(%q)", e.Text)
	}
	return e.Op + "()"
}

// Recorder records the calls a viewer session makes. The zero value is
// ready; it is safe for concurrent use. Err, if set, is returned by every
// call (after recording it).
type Recorder struct {
	Err error

	mu     sync.Mutex
	events []Event
}

func (r *Recorder) record(e Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return r.Err
}

// Events returns a copy of the calls so far, oldest first.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// Key records a key press or release.
func (r *Recorder) Key(keysym uint32, down bool) error {
	return r.record(Event{Op: "Key", Keysym: keysym, Down: down})
}

// Button records a button press or release.
func (r *Recorder) Button(button uint8, down bool) error {
	return r.record(Event{Op: "Button", Button: button, Down: down})
}

// Wheel records a scroll.
func (r *Recorder) Wheel(dx, dy int) error { return r.record(Event{Op: "Wheel", X: dx, Y: dy}) }

// Move records a pointer move.
func (r *Recorder) Move(x, y int) error { return r.record(Event{Op: "Move", X: x, Y: y}) }

// MoveBy records a relative pointer move.
func (r *Recorder) MoveBy(dx, dy int) error { return r.record(Event{Op: "MoveBy", X: dx, Y: dy}) }

// Text records typed text.
func (r *Recorder) Text(s string) error { return r.record(Event{Op: "Text", Text: s}) }

// Close records the end of the viewer's input.
func (r *Recorder) Close() error { return r.record(Event{Op: "Close"}) }

// ReleaseAll records a release of everything.
func (r *Recorder) ReleaseAll() error { return r.record(Event{Op: "ReleaseAll"}) }

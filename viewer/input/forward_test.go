package input

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"dream/internal/keysym"
	"dream/proto"
)

// sent records what a Forwarder sends.
type sent struct{ log []string }

func (s *sent) Send(m proto.Message) error {
	s.log = append(s.log, fmt.Sprintf("%T%+v", m, m))
	return nil
}
func (s *sent) Move(x, y int) error {
	s.log = append(s.log, fmt.Sprintf("move %d,%d", x, y))
	return nil
}

func (s *sent) Place(x, y int) error {
	s.log = append(s.log, fmt.Sprintf("place %d,%d", x, y))
	return nil
}

// usKeys is a US keymap for a few keycodes, as Xvfb has it.
type usKeys map[int][]uint32

func (k usKeys) Keysym(keycode int, shift, level3, caps bool) uint32 {
	return keysym.Pick(k[keycode], shift, level3, caps)
}

var us = usKeys{50: {xkShiftL}, 38: {'a', 'A'}, 10: {'1', '!'}, 108: {xkISOLevel3Shift}, 26: {'e', 'E', 'e', 'E', 0x20ac}, 66: {xkCapsLock}}

func TestForwarderKeys(t *testing.T) {
	s := &sent{}
	f := New(s, us, nil)
	f.Key(50, true)  // Shift
	f.Key(38, true)  // A
	f.Key(38, true)  // a repeat: not sent
	f.Key(50, false) // Shift up before A
	f.Key(38, false) // A's release carries the keysym its press had
	f.Key(108, true) // AltGr
	f.Key(26, true)  // €
	f.Key(26, false)
	f.Key(108, false)
	f.Key(99, true) // no keysym: not sent
	f.Key(77, false)
	want := []string{
		"proto.Key{Down:true Keysym:65505 Keycode:50}",
		"proto.Key{Down:true Keysym:65 Keycode:38}",
		"proto.Key{Down:false Keysym:65505 Keycode:50}",
		"proto.Key{Down:false Keysym:65 Keycode:38}",
		"proto.Key{Down:true Keysym:65027 Keycode:108}",
		"proto.Key{Down:true Keysym:8364 Keycode:26}",
		"proto.Key{Down:false Keysym:8364 Keycode:26}",
		"proto.Key{Down:false Keysym:65027 Keycode:108}",
	}
	if diff := cmp.Diff(want, s.log); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
}

func TestForwarderCapsLock(t *testing.T) {
	s := &sent{}
	f := New(s, us, nil)
	for _, k := range []int{66, 38, 66, 38} { // Caps Lock toggles: A, then a
		f.Key(k, true)
		f.Key(k, false)
	}
	if s.log[2] != "proto.Key{Down:true Keysym:65 Keycode:38}" || s.log[6] != "proto.Key{Down:true Keysym:97 Keycode:38}" {
		t.Errorf("with Caps Lock on then off: %q; want A then a", s.log)
	}
}

// TestForwarderFocusLoss: leaving the window releases everything on the
// desktop, and the keys it held are forgotten (their releases come elsewhere).
func TestForwarderFocusLoss(t *testing.T) {
	s := &sent{}
	f := New(s, us, nil)
	f.Key(50, true)
	f.Key(10, true) // ! with Shift
	f.Focus(false)
	f.Key(10, false) // released after focus went: not sent again
	f.Key(10, true)  // Shift is no longer counted as held: 1
	want := []string{
		"proto.Key{Down:true Keysym:65505 Keycode:50}",
		"proto.Key{Down:true Keysym:33 Keycode:10}",
		"proto.ReleaseAll{}",
		"proto.Key{Down:true Keysym:49 Keycode:10}",
	}
	if diff := cmp.Diff(want, s.log); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
}

func TestForwarderPointer(t *testing.T) {
	s := &sent{}
	f := New(s, us, nil)
	f.Button(1, true)
	f.Button(0, true) // not an X button: not sent
	f.Scroll(0, 0.5)  // half a notch: 60/120
	f.Scroll(0, 0.004)
	f.Scroll(0, 0.005) // 1.08/120 of a notch together: one unit
	f.Pointer(10, 20)
	f.Pointer(11, 21)
	f.Button(3, true) // placed first on the ordered channel, once
	f.Button(3, false)
	f.PointerBy(-3, 4)
	f.Button(1, false) // captured: no absolute place
	f.Jump(1)
	want := []string{
		"proto.Button{Down:true Button:1}",
		"proto.Wheel{DX:0 DY:60}",
		"proto.Wheel{DX:0 DY:1}",
		"move 10,20",
		"move 11,21",
		"place 11,21",
		"proto.Button{Down:true Button:3}",
		"proto.Button{Down:false Button:3}",
		"proto.MoveBy{DX:-3 DY:4}",
		"proto.Button{Down:false Button:1}",
		"proto.Jump{Dir:1}",
	}
	if diff := cmp.Diff(want, s.log); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
}

// TestForwarderReset: keys held when the connection dropped are forgotten:
// their releases are not sent to the new connection, Shift no longer counts,
// and the pointer is placed again before the next click.
func TestForwarderReset(t *testing.T) {
	s := &sent{}
	f := New(s, us, nil)
	f.Pointer(5, 6)
	f.Button(1, true)
	f.Button(1, false)
	f.Key(50, true) // Shift, held across the drop
	f.Key(38, true)
	s.log = nil
	f.Reset()
	f.Key(38, false) // released while reconnecting: the desktop let go of it already
	f.Key(50, false)
	f.Key(38, true) // Shift is not held on the new connection: a, not A
	f.Button(1, true)
	want := []string{
		"proto.Key{Down:true Keysym:97 Keycode:38}",
		"place 5,6",
		"proto.Button{Down:true Button:1}",
	}
	if d := cmp.Diff(want, s.log); d != "" {
		t.Errorf("after Reset (-want +got):\n%s", d)
	}
}

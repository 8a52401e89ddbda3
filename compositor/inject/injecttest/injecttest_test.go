package injecttest_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"dream/compositor/inject"
	"dream/compositor/inject/injecttest"
)

// input is what a viewer session calls (stream.Input): the fake and the real
// client must both have it.
type input interface {
	Key(keysym uint32, down bool) error
	Button(button uint8, down bool) error
	Wheel(dx, dy int) error
	Move(x, y int) error
	Text(s string) error
	ReleaseAll() error
}

var (
	_ input = (*injecttest.Recorder)(nil)
	_ input = (*inject.Client)(nil)
)

func TestRecorder(t *testing.T) {
	boom := errors.New("boom")
	r := &injecttest.Recorder{Err: boom}
	var in input = r
	errs := []error{in.Key('a', true), in.Button(3, false), in.Wheel(0, -120), in.Move(5, 6), in.Text("é"), in.ReleaseAll()}
	for i, err := range errs {
		if err != boom {
			t.Errorf("call %d = %v; want %v", i, err, boom)
		}
	}
	want := []injecttest.Event{
		{Op: "Key", Keysym: 'a', Down: true},
		{Op: "Button", Button: 3},
		{Op: "Wheel", Y: -120},
		{Op: "Move", X: 5, Y: 6},
		{Op: "Text", Text: "é"},
		{Op: "ReleaseAll"},
	}
	if diff := cmp.Diff(want, r.Events()); diff != "" {
		t.Errorf("Events() mismatch (-want +got):\n%s", diff)
	}
	if got := want[0].String(); got != "Key(0x61, true)" {
		t.Errorf("String() = %q; want %q", got, "Key(0x61, true)")
	}
}

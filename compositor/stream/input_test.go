package stream

import (
	"context"
	"errors"
	"image"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"dream/compositor/access"
	"dream/compositor/inject/injecttest"
	"dream/proto"
	"dream/viewer/client"
)

// events lists what rec was asked to do, as strings.
func events(rec *injecttest.Recorder) []string {
	var out []string
	for _, e := range rec.Events() {
		out = append(out, e.String())
	}
	return out
}

// TestInputReachesDesktop sends input from a real viewer connection and checks it
// arrives in desktop coordinates, and that hanging up releases everything.
func TestInputReachesDesktop(t *testing.T) {
	tile := mustTile(t, 2, "vp8") // x 100..200
	first := mustTile(t, 1, "vp8")
	rec := &injecttest.Recorder{}
	_, url := serve(t, Config{LoopbackOnly: true, NewInput: func() Input { return rec }}, first, tile)
	ctx := context.Background()
	sess, err := client.Dial(ctx, client.Config{URL: url, Tile: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	send := func(m proto.Message) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			err := sess.Send(m)
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("Send(%#v): %v", m, err)
			}
		}
	}
	send(proto.Key{Down: true, Keysym: 0x61})
	send(proto.Key{Down: false, Keysym: 0x61})
	send(proto.Button{Down: true, Button: 1})
	send(proto.Wheel{DY: 120})
	send(proto.Text{Text: "é"})
	want := []string{"Key(0x61, true)", "Key(0x61, false)", "Button(1, true)", "Wheel(0, 120)", `Text("é")`}
	waitEvents(t, rec, len(want))
	for deadline := time.Now().Add(5 * time.Second); sess.Move(10, 20) != nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("motion channel never opened")
		}
	}
	want = append(want, "Move(110, 20)") // tile 2 starts at x=100
	waitEvents(t, rec, len(want))
	sess.Close()
	want = append(want, "Close()") // releases everything, refuses what comes after
	waitEvents(t, rec, len(want))
	if diff := cmp.Diff(want, events(rec)); diff != "" {
		t.Errorf("desktop input (-want +got):\n%s", diff)
	}
}

func waitEvents(t *testing.T, rec *injecttest.Recorder, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); len(events(rec)) < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("got %d input events %q; want %d", len(events(rec)), events(rec), n)
		}
	}
}

// queued is in behind a session's input queue (its failures counted on
// tile), closed when the test ends.
func queued(t testing.TB, in Input, tile *Tile) *inputQueue {
	q := newInputQueue(in, func(error) { tile.inputDropped.Add(1) })
	t.Cleanup(func() { q.Close(); q.wait() })
	return q
}

// flush waits until q has applied everything queued so far (once there is
// room to queue the wait).
func flush(q *inputQueue) {
	done := make(chan struct{})
	for q.do(func(Input) error { close(done); return nil }) != nil {
		time.Sleep(time.Millisecond)
	}
	<-done
}

// TestBadInputDropped: malformed, out-of-range, stale, misplaced and forbidden
// messages are dropped and counted; good ones after them still apply.
func TestBadInputDropped(t *testing.T) {
	rec := &injecttest.Recorder{}
	tile, _ := NewTile(3, image.Rect(200, 50, 300, 150), "h264", nil)
	ss := &session{tile: tile, input: queued(t, rec, tile), log: slog.New(slog.DiscardHandler)}
	bad := []struct {
		name   string
		data   []byte
		motion bool
	}{
		{"empty", nil, false},
		{"garbage", []byte{0xde, 0xad, 0xbe, 0xef}, false},
		{"future version", []byte{9, 1, 1, 0, 0, 0, 0x61, 0, 0}, false},
		{"truncated key", proto.Key{Down: true, Keysym: 0x61}.AppendMarshal(nil)[:5], false},
		{"motion outside the tile", proto.Motion{Seq: 1, X: 100, Y: 5}.AppendMarshal(nil), true},
		{"key on the motion channel", proto.Key{Down: true, Keysym: 0x61}.AppendMarshal(nil), true},
		{"switch to VT 1", proto.Key{Down: true, Keysym: 0x1008fe01}.AppendMarshal(nil), false},
		{"terminate the server", proto.Key{Down: true, Keysym: 0xfed5}.AppendMarshal(nil), false},
	}
	for _, tt := range bad {
		ss.receive(tt.data, tt.motion)
	}
	flush(ss.input)
	if got := events(rec); len(got) != 0 {
		t.Errorf("bad messages reached the desktop: %q", got)
	}
	if n := tile.Stats().InputDropped; n != uint64(len(bad)) {
		t.Errorf("input_dropped = %d after %d bad messages", n, len(bad))
	}
	// Motion: the newest wins, an older one arriving late is dropped; sequence
	// numbers wrap around; motion on the ordered channel counts too.
	for _, m := range []struct {
		proto.Motion
		motion bool
	}{
		{proto.Motion{Seq: 10, X: 1, Y: 2}, true}, {proto.Motion{Seq: 9, X: 50, Y: 50}, true},
		{proto.Motion{Seq: 11, X: 99, Y: 99}, false},
	} {
		ss.receive(m.Motion.AppendMarshal(nil), m.motion)
		flush(ss.input) // each applied, not merged with the next
	}
	wrap := &session{tile: tile, input: queued(t, rec, tile), log: ss.log}
	for _, seq := range []uint32{0xfffffff0, 0xffffffff, 0, 0xfffffff5, 1} {
		wrap.receive(proto.Motion{Seq: seq, X: uint16(seq % 16), Y: 7}.AppendMarshal(nil), true)
		flush(wrap.input)
	}
	want := []string{"Move(201, 52)", "Move(299, 149)", "Move(200, 57)", "Move(215, 57)", "Move(200, 57)", "Move(201, 57)"}
	if diff := cmp.Diff(want, events(rec)); diff != "" {
		t.Errorf("motion (-want +got):\n%s", diff)
	}
	// A view-only session drops everything.
	view := &session{tile: tile}
	if err := view.handleInput(proto.Key{Down: true, Keysym: 0x61}.AppendMarshal(nil), false); err == nil {
		t.Errorf("a view-only session applied a key")
	}
}

// FuzzHandleInput: no message breaks the session, and whatever is applied lies
// inside the tile.
func FuzzHandleInput(f *testing.F) {
	f.Add(proto.Motion{Seq: 1, X: 5, Y: 5}.AppendMarshal(nil), true)
	f.Add(proto.Key{Down: true, Keysym: 0x61}.AppendMarshal(nil), false)
	tile, _ := NewTile(1, image.Rect(200, 50, 300, 150), "vp8", nil)
	srv, err := New(Config{}, []*Tile{tile})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, motion bool) {
		rec := &boundsCheck{t: t, r: tile.Rect}
		ss := &session{tile: tile, server: srv, input: queued(t, rec, tile), log: slog.New(slog.DiscardHandler)}
		ss.receive(data, motion)
		flush(ss.input)
	})
}

type boundsCheck struct {
	injecttest.Recorder
	t *testing.T
	r image.Rectangle
}

func (b *boundsCheck) Move(x, y int) error {
	if !image.Pt(x, y).In(b.r) {
		b.t.Errorf("Move(%d, %d) outside the tile %v", x, y, b.r)
	}
	return nil
}

func TestJump(t *testing.T) {
	tiles := []*Tile{mustTile(t, 1, "vp8"), mustTile(t, 2, "vp8"), mustTile(t, 3, "vp8")} // 100x100 each
	ptr := image.Pt(150, 20)
	s, err := New(Config{Pointer: func() (image.Point, error) { return ptr, nil }}, tiles)
	if err != nil {
		t.Fatal(err)
	}
	rec := &injecttest.Recorder{}
	ss := &session{tile: tiles[0], server: s, input: queued(t, rec, tiles[0])}
	for _, tt := range []struct {
		at   image.Point
		dir  int8
		want string
	}{
		{image.Pt(150, 20), 1, "Move(250, 50)"},  // from tile 2 to 3
		{image.Pt(150, 20), -1, "Move(50, 50)"},  // from tile 2 to 1
		{image.Pt(250, 99), 1, "Move(250, 50)"},  // no wrapping past the last
		{image.Pt(5, 5), -1, "Move(50, 50)"},     // nor before the first
		{image.Pt(900, 900), 1, "Move(150, 50)"}, // off every tile: from the viewer's own
	} {
		ptr = tt.at
		if err := ss.handleInput(proto.Jump{Dir: tt.dir}.AppendMarshal(nil), false); err != nil {
			t.Fatalf("jump %d from %v: %v", tt.dir, tt.at, err)
		}
		flush(ss.input)
		ev := events(rec)
		if got := ev[len(ev)-1]; got != tt.want {
			t.Errorf("jump %d from %v = %s; want %s", tt.dir, tt.at, got, tt.want)
		}
	}
}

// TestTokens: without a token nothing happens (401, no session); the view-only
// token watches but its input is dropped and counted; the control token types.
func TestTokens(t *testing.T) {
	keys, err := access.Load(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	view, err := keys.ViewToken()
	if err != nil {
		t.Fatal(err)
	}
	tile := mustTile(t, 1, "vp8")
	rec := &injecttest.Recorder{}
	srv, url := serve(t, Config{LoopbackOnly: true, Access: access.NewGuard(keys), NewInput: func() Input { return rec }}, tile)
	ctx := context.Background()
	for _, token := range []string{"", "not-the-token"} {
		if _, err := client.Dial(ctx, client.Config{URL: url, Tile: 1, Token: token}); !errors.Is(err, client.ErrServer) || !strings.Contains(err.Error(), "401") {
			t.Errorf("Dial with token %q: %v; want 401", token, err)
		}
	}
	srv.mu.Lock()
	n := len(srv.sessions)
	srv.mu.Unlock()
	if n != 0 {
		t.Errorf("%d sessions after refused requests; want 0", n)
	}

	press := func(sess *client.Session) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); sess.Send(proto.Key{Down: true, Keysym: 0x61}) != nil; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("input channel never opened")
			}
		}
	}
	watcher, err := client.Dial(ctx, client.Config{URL: url, Tile: 1, Token: view})
	if err != nil {
		t.Fatalf("Dial with the view-only token: %v", err)
	}
	defer watcher.Close()
	press(watcher)
	for deadline := time.Now().Add(5 * time.Second); tile.Stats().InputDropped == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the view-only viewer's key was not counted as dropped")
		}
	}
	typist, err := client.Dial(ctx, client.Config{URL: url, Tile: 1, Token: keys.Control})
	if err != nil {
		t.Fatalf("Dial with the control token: %v", err)
	}
	defer typist.Close()
	press(typist)
	waitEvents(t, rec, 1)
	if got := events(rec); got[0] != "Key(0x61, true)" || len(got) != 1 {
		t.Errorf("desktop input %q; want only the control viewer's key", got)
	}

	// Both see the picture.
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	frames := make(chan string, 16)
	for name, sess := range map[string]*client.Session{"view-only": watcher, "control": typist} {
		go sess.Frames(fctx, func(client.Frame) error { frames <- name; return nil })
	}
	for deadline := time.Now().Add(5 * time.Second); tileViewers(tile) < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the viewers never connected")
		}
	}
	keyframe := append([]byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}, make([]byte, 2000)...)
	if err := tile.WriteFrame(Frame{Data: keyframe, Key: true, Captured: time.Now()}); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for len(got) < 2 {
		select {
		case name := <-frames:
			got[name] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("frames reached only %v; want both viewers", got)
		}
	}
}

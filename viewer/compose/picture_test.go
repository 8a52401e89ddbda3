package compose

import (
	"image"
	"sync/atomic"
	"testing"
	"time"

	"dream/internal/patch"
	"dream/internal/yuv"
	"dream/proto"
)

// frame is a w×h video frame of one colour (BT.601 limited range).
func frame(w, h int, r, g, b byte) *yuv.I420 {
	pix := make([]byte, 4*w*h)
	for i := 0; i < len(pix); i += 4 {
		pix[i], pix[i+1], pix[i+2] = b, g, r
	}
	p := yuv.NewI420(w, h)
	yuv.FromBGRX(p, pix, 4*w)
	return p
}

// solid marshals a Solid patch of r in colour c.
func solid(update uint32, r image.Rectangle, last bool, c [3]byte) []byte {
	return proto.Patch{Update: update, Last: last, Rect: proto.RectOf(r), Encoding: proto.EncodingSolid, Data: c[:]}.AppendMarshal(nil)
}

func rect(x, y, w, h uint16) proto.Rect { return proto.Rect{X: x, Y: y, W: w, H: h} }

func newPicture(t *testing.T) (*Picture, *atomic.Int32, *atomic.Int32) {
	t.Helper()
	var refreshes, changes atomic.Int32
	p, err := New(Config{Refresh: func() { refreshes.Add(1) }, Changed: func() { changes.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p, &refreshes, &changes
}

func near(a, b uint8) bool { return int(a)-int(b) <= 3 && int(b)-int(a) <= 3 }

func pixel(t *testing.T, p *Picture, x, y int) [3]uint8 {
	t.Helper()
	r, g, b, ok := p.Pixel(x, y)
	if !ok {
		t.Fatalf("no pixel at %d,%d", x, y)
	}
	return [3]uint8{r, g, b}
}

// TestVideoUntilPatches: frames are the picture until the patch channel
// speaks; then only what its messages say changes it.
func TestVideoUntilPatches(t *testing.T) {
	p, _, changes := newPicture(t)
	p.Show(frame(64, 32, 200, 0, 0), 1000)
	if c := pixel(t, p, 10, 10); !near(c[0], 200) || c[1] > 3 {
		t.Fatalf("after a frame, pixel = %v; want about red", c)
	}
	p.Message(solid(1, image.Rect(0, 0, 64, 32), true, [3]byte{0, 0, 255}))
	if c := pixel(t, p, 10, 10); c != [3]uint8{0, 0, 255} {
		t.Fatalf("after a blue patch, pixel = %v; want exactly blue", c)
	}
	p.Show(frame(64, 32, 0, 200, 0), 2000) // no Video message names it
	if c := pixel(t, p, 10, 10); c != [3]uint8{0, 0, 255} {
		t.Errorf("a frame no Video message names changed the picture to %v", c)
	}
	if n := changes.Load(); n != 2 {
		t.Errorf("%d updates reported; want 2 (the frame taken whole, the patch)", n)
	}
}

// TestVideoWaitsForItsFrame: a Video message takes its rectangles from its
// frame, whether the frame comes before or after it, and the patches behind
// it wait, so that capture order holds.
func TestVideoWaitsForItsFrame(t *testing.T) {
	p, _, _ := newPicture(t)
	p.Show(frame(64, 32, 0, 0, 0), 100)
	p.Message(solid(1, image.Rect(0, 0, 64, 32), true, [3]byte{255, 255, 255}))

	// The message first: it waits, and so does the patch after it.
	p.Message(proto.Video{Update: 2, Last: true, RTP: 200, Rects: []proto.Rect{rect(0, 0, 32, 32)}}.AppendMarshal(nil))
	p.Message(solid(3, image.Rect(0, 0, 16, 16), true, [3]byte{0, 0, 255}))
	if c := pixel(t, p, 4, 4); c != [3]uint8{255, 255, 255} {
		t.Fatalf("the patch behind a waiting Video message was applied before it: %v", c)
	}
	p.Show(frame(64, 32, 200, 0, 0), 200)
	if c := pixel(t, p, 4, 4); c != [3]uint8{0, 0, 255} {
		t.Errorf("(4,4) after the frame and then the patch = %v; want the patch's blue", c)
	}
	if c := pixel(t, p, 20, 20); !near(c[0], 200) {
		t.Errorf("(20,20), in the Video rectangle, = %v; want the frame's red", c)
	}
	if c := pixel(t, p, 40, 20); c != [3]uint8{255, 255, 255} {
		t.Errorf("(40,20), outside the Video rectangle, = %v; want white as patched", c)
	}

	// The frame first: it is held until its message comes.
	p.Show(frame(64, 32, 0, 200, 0), 300)
	if c := pixel(t, p, 40, 20); c != [3]uint8{255, 255, 255} {
		t.Fatalf("a frame before its Video message changed the picture: %v", c)
	}
	p.Message(proto.Video{Update: 4, Last: true, RTP: 300, Rects: []proto.Rect{rect(32, 0, 32, 32)}}.AppendMarshal(nil))
	if c := pixel(t, p, 40, 20); !near(c[1], 200) {
		t.Errorf("(40,20) after the held frame's Video message = %v; want its green", c)
	}
}

// TestBadPatches: a malformed message, a rectangle outside the tile, data
// that does not decode: each is dropped and counted, the picture asks for
// the whole tile (at most once a second), and nothing else changes.
func TestBadPatches(t *testing.T) {
	p, refreshes, _ := newPicture(t)
	p.Show(frame(64, 32, 0, 0, 0), 100)
	p.Message(solid(1, image.Rect(0, 0, 64, 32), true, [3]byte{9, 9, 9}))
	bad := [][]byte{
		{2, 12, 0}, // truncated
		solid(2, image.Rect(60, 0, 70, 10), true, [3]byte{1, 2, 3}), // outside the tile
		proto.Patch{Update: 3, Last: true, Rect: proto.RectOf(image.Rect(0, 0, 8, 8)), Encoding: proto.EncodingQOI, Data: []byte("not zstd")}.AppendMarshal(nil),
		proto.Patch{Update: 4, Last: true, Rect: proto.RectOf(image.Rect(0, 0, 8, 8)), Encoding: proto.EncodingQOIRaw, Data: []byte{0xfe, 1, 2}}.AppendMarshal(nil),
		proto.Video{Update: 5, Last: true, RTP: 100, Rects: []proto.Rect{rect(0, 0, 100, 100)}}.AppendMarshal(nil), // outside
		proto.Refresh{}.AppendMarshal(nil), // not for a viewer
	}
	for _, b := range bad {
		p.Message(b)
	}
	st := p.Stats()
	if st.Dropped != uint64(len(bad)) {
		t.Errorf("%d messages dropped; want %d", st.Dropped, len(bad))
	}
	if n := refreshes.Load(); n != 1 {
		t.Errorf("%d refreshes asked; want 1 (at most one a second)", n)
	}
	for _, at := range []image.Point{{2, 2}, {40, 20}, {63, 5}} {
		if c := pixel(t, p, at.X, at.Y); c != [3]uint8{9, 9, 9} {
			// the undecodable QOI patch may have written part of its 8x8
			if at.X >= 8 || at.Y >= 8 {
				t.Errorf("%v = %v after bad messages; want it untouched", at, c)
			}
		}
	}
	// A good patch still goes in.
	p.Message(solid(6, image.Rect(0, 0, 64, 32), true, [3]byte{7, 8, 9}))
	if c := pixel(t, p, 30, 30); c != [3]uint8{7, 8, 9} {
		t.Errorf("a patch after bad ones = %v; want it applied", c)
	}
}

// TestFrameThatNeverComes: a Video message whose frame never comes is
// dropped after a second, and what waited behind it is applied.
func TestFrameThatNeverComes(t *testing.T) {
	p, refreshes, _ := newPicture(t)
	p.Show(frame(32, 32, 0, 0, 0), 100)
	p.Message(proto.Video{Update: 1, Last: true, RTP: 500, Rects: []proto.Rect{rect(0, 0, 32, 32)}}.AppendMarshal(nil))
	p.Message(solid(2, image.Rect(0, 0, 32, 32), true, [3]byte{1, 2, 3}))
	deadline := time.Now().Add(3 * time.Second)
	for pixel(t, p, 1, 1) != [3]uint8{1, 2, 3} {
		if time.Now().After(deadline) {
			t.Fatalf("the patch behind a Video message whose frame never came was not applied; %+v", p.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st := p.Stats(); st.Dropped != 1 || refreshes.Load() != 1 {
		t.Errorf("stats %+v, %d refreshes; want the Video message dropped and one refresh", st, refreshes.Load())
	}
}

// TestTakeGivesWhatChanged: the renderer gets the rectangles of complete
// updates only.
func TestTakeGivesWhatChanged(t *testing.T) {
	p, _, _ := newPicture(t)
	p.Show(frame(64, 32, 0, 0, 0), 100)
	p.Take(func([]byte, int, int, []image.Rectangle) {})
	p.Message(solid(1, image.Rect(0, 0, 8, 8), false, [3]byte{1, 1, 1}))
	if p.Take(func([]byte, int, int, []image.Rectangle) {}) {
		t.Error("Take gave an update not yet complete")
	}
	p.Message(solid(1, image.Rect(8, 8, 16, 16), true, [3]byte{2, 2, 2}))
	var got []image.Rectangle
	p.Take(func(_ []byte, w, h int, rs []image.Rectangle) { got = append(got, rs...) })
	want := []image.Rectangle{image.Rect(0, 0, 8, 8), image.Rect(8, 8, 16, 16)}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Take gave %v; want %v", got, want)
	}
}

// FuzzMessages: no sequence of messages and frames panics the picture, makes
// it write outside the tile, or lets its queue grow past its bounds.
func FuzzMessages(f *testing.F) {
	enc, _ := patch.NewEncoder()
	defer enc.Close()
	pix := make([]byte, 4*16*8)
	for i := range pix {
		pix[i] = byte(i * 7)
	}
	e, data, _ := enc.Encode(nil, pix, 64, 16, 8, false)
	f.Add(proto.Patch{Update: 1, Last: true, Rect: proto.Rect{X: 2, Y: 3, W: 16, H: 8}, Encoding: e, Data: data}.AppendMarshal(nil),
		proto.Video{Update: 2, Last: true, RTP: 7, Rects: []proto.Rect{rect(0, 0, 8, 8)}}.AppendMarshal(nil), uint32(7))
	f.Add(solid(1, image.Rect(0, 0, 40, 20), false, [3]byte{1, 2, 3}), []byte{2, 13}, uint32(0))
	f.Fuzz(func(t *testing.T, a, b []byte, rtp uint32) {
		p, err := New(Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		p.Show(frame(40, 20, 10, 20, 30), rtp-1)
		p.Message(a)
		p.Message(b)
		p.Show(frame(40, 20, 10, 20, 30), rtp)
		p.Message(b)
		p.Message(a)
		p.mu.Lock()
		defer p.mu.Unlock()
		if len(p.pix) != 4*40*20 {
			t.Fatalf("the picture is %d bytes; want %d", len(p.pix), 4*40*20)
		}
		for _, r := range append(p.dirty, p.open...) {
			if !r.In(image.Rect(0, 0, 40, 20)) {
				t.Fatalf("a changed rectangle %v outside the 40x20 tile", r)
			}
		}
		if len(p.queue) > maxQueue || p.queueBytes > maxQueueBytes || p.queueBytes < 0 {
			t.Fatalf("queue of %d messages, %d bytes", len(p.queue), p.queueBytes)
		}
	})
}

// BenchmarkCompose measures what one update costs the viewer: a 400x400
// patch of text-like pixels (four palette blocks) decoded into the picture,
// and a 400x400 rectangle taken from a 1920x1080 video frame.
func BenchmarkCompose(b *testing.B) {
	enc, _ := patch.NewEncoder()
	defer enc.Close()
	const w, h = 1920, 1080
	src := make([]byte, 4*400*400)
	for i := 0; i < len(src); i += 4 {
		if (i/4%400/7+i/4/400/13)%3 == 0 {
			src[i], src[i+1], src[i+2] = 30, 30, 36
		} else {
			src[i], src[i+1], src[i+2] = 250, 250, 250
		}
	}
	var msgs [][]byte
	for y := 0; y < 400; y += 256 {
		for x := 0; x < 400; x += 256 {
			bw, bh := min(256, 400-x), min(256, 400-y)
			m := proto.Patch{Rect: proto.Rect{X: uint16(100 + x), Y: uint16(100 + y), W: uint16(bw), H: uint16(bh)}}
			e, data, err := enc.Encode(nil, src[4*(y*400+x):], 1600, bw, bh, false)
			if err != nil {
				b.Fatal(err)
			}
			m.Encoding, m.Data, m.Last = e, data, y+256 >= 400 && x+256 >= 400
			msgs = append(msgs, m.AppendMarshal(nil))
		}
	}
	b.Run("patch 400x400 text", func(b *testing.B) {
		p, _ := New(Config{})
		defer p.Close()
		p.Show(frame(w, h, 0, 0, 0), 1)
		for b.Loop() {
			for _, m := range msgs {
				p.Message(m)
			}
		}
	})
	b.Run("video 400x400 of 1920x1080", func(b *testing.B) {
		p, _ := New(Config{})
		defer p.Close()
		f := frame(w, h, 10, 200, 30)
		p.Show(f, 1)
		p.Message(solid(1, image.Rect(0, 0, 8, 8), true, [3]byte{}))
		rtp := uint32(1)
		for b.Loop() {
			rtp++
			p.Message(proto.Video{Update: rtp, Last: true, RTP: rtp, Rects: []proto.Rect{rect(100, 100, 400, 400)}}.AppendMarshal(nil))
			p.Show(f, rtp)
		}
	})
}

// TestReset: after a new connection the picture stays until the new
// connection's first frame, which is taken whole; what waited for the old
// connection's frames is gone.
func TestReset(t *testing.T) {
	p, _, _ := newPicture(t)
	p.Show(frame(64, 32, 0, 0, 0), 100)
	p.Message(solid(1, image.Rect(0, 0, 64, 32), true, [3]byte{255, 255, 255}))
	p.Message(proto.Video{Update: 2, Last: true, RTP: 900, Rects: []proto.Rect{rect(0, 0, 32, 32)}}.AppendMarshal(nil))
	p.Message(solid(3, image.Rect(0, 0, 16, 16), true, [3]byte{0, 0, 255})) // waits behind it

	p.Reset()
	if c := pixel(t, p, 40, 20); c != [3]uint8{255, 255, 255} {
		t.Fatalf("the picture changed at Reset: %v", c)
	}
	p.Show(frame(64, 32, 0, 200, 0), 5) // the new connection's clock starts anywhere
	if c := pixel(t, p, 40, 20); !near(c[1], 200) {
		t.Errorf("the new connection's first frame = %v at (40,20); want it whole (green)", c)
	}
	if c := pixel(t, p, 4, 4); !near(c[1], 200) {
		t.Errorf("(4,4) = %v; want the new frame's green, not the old connection's waiting patch", c)
	}
	if s := p.Stats(); s.Dropped != 0 {
		t.Errorf("%d messages counted as dropped; the old connection's leftovers are not bad input", s.Dropped)
	}
}

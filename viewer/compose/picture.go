package compose

import (
	"fmt"
	"image"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"dream/internal/patch"
	"dream/internal/yuv"
	"dream/proto"
)

// Bounds on what waits behind a Video message whose frame has not come.
const (
	// maxWait is how long a Video message may wait for its frame (lost, and
	// the keyframe asked for has not come either) before it is dropped.
	maxWait = time.Second
	// maxQueue and maxQueueBytes bound the messages waiting behind it.
	maxQueue      = 4096
	maxQueueBytes = 64 << 20
	// refreshInterval is the least time between two Refresh requests.
	refreshInterval = time.Second
)

// Config configures a Picture. The zero value works.
type Config struct {
	// Refresh asks the desktop for the whole tile (a Refresh message on the
	// patch channel). Called with the picture's lock not held.
	Refresh func()
	// Changed is called after each complete update (to wake a renderer), with
	// the lock not held.
	Changed func()
	// Clock, when set, gives the tie between the tile's RTP clock and the
	// desktop's wall clock (the Clock message), once known: patches' capture
	// times then give their latency.
	Clock func() (proto.Clock, bool)
	Log   *slog.Logger
}

// Stats are a picture's running totals.
type Stats struct {
	Updates    uint64 // complete updates shown (a video frame taken whole is one)
	Patches    uint64 // patches applied
	PatchBytes uint64 // of their data
	Videos     uint64 // video frames taken, whole or in part
	Dropped    uint64 // patch channel messages that could not be used
	Refreshes  uint64 // whole pictures asked for
	// Latency is capture to shown, summed over LatencyUpdates updates of
	// patches (those that came after the desktop's clock). Meaningful when
	// this machine and the desktop share a clock.
	Latency        time.Duration
	LatencyUpdates uint64
}

// Picture is one tile's picture. Video is called by the decoding goroutine,
// Message by the patch channel's, the rest from anywhere.
type Picture struct {
	cfg Config
	log *slog.Logger
	dec *patch.Decoder

	mu      sync.Mutex
	w, h    int
	pix     []byte // B,G,R,A, 4*w a row; nil before the first frame
	patched bool   // the patch channel has spoken: frames count only as it says
	open    []image.Rectangle
	dirty   []image.Rectangle // complete updates not yet taken
	seq     uint64

	queue      []item // messages waiting, in order
	queueBytes int
	timer      *time.Timer // expires a Video message that waits too long
	current    *yuv.I420   // the frame being handed in by Video, while it runs
	currentTS  uint32
	consumed   bool      // a Video message took current
	held       *yuv.I420 // the newest frame, kept for a Video message still to come
	heldTS     uint32
	holding    bool
	refreshed  time.Time
	closed     bool
	changed    bool // an update completed under the lock: call Changed after
	wantFresh  bool // ask for a Refresh after unlocking
	lastReason string

	updates, patches, patchBytes, videos, dropped, refreshes atomic.Uint64
	latencyNanos                                             atomic.Int64
	latencyUpdates                                           atomic.Uint64
}

// item is a patch channel message waiting for its turn.
type item struct {
	patch proto.Patch
	video *proto.Video
	since time.Time
}

// New returns an empty picture.
func New(cfg Config) (*Picture, error) {
	dec, err := patch.NewDecoder()
	if err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Picture{cfg: cfg, log: log, dec: dec}, nil
}

// Show takes a decoded video frame stamped rtp (a player.Sink): the whole
// picture before the patch channel speaks, and afterwards the rectangles its
// Video messages name. pic is not kept past the call.
func (p *Picture) Show(pic *yuv.I420, rtp uint32) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.videos.Add(1)
	if p.pix == nil || p.w != pic.Width || p.h != pic.Height {
		p.w, p.h = pic.Width, pic.Height
		p.pix = make([]byte, 4*p.w*p.h)
		p.holding = false
		p.open = p.open[:0]
		p.dirty = append(p.dirty[:0], image.Rect(0, 0, p.w, p.h))
	}
	if !p.patched {
		all := image.Rect(0, 0, p.w, p.h)
		pic.ToBGRA(p.pix, 4*p.w, all)
		p.dirty = append(p.dirty[:0], all)
		p.publish()
		p.drain() // messages that came before the size was known
		p.unlock()
		return
	}
	p.current, p.currentTS, p.consumed = pic, rtp, false
	p.drain()
	if !p.consumed { // its Video message may still come
		p.held = yuv.Copy(p.held, pic)
		p.heldTS, p.holding = rtp, true
	}
	p.current = nil
	p.unlock()
}

// Message takes one message of the patch channel. It may keep data: the
// caller must not reuse it (pion's data channels hand each message over in a
// buffer of its own).
func (p *Picture) Message(data []byte) {
	m, err := proto.Unmarshal(data)
	if err != nil {
		p.mu.Lock()
		p.drop("malformed message: %v", err)
		p.unlock()
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	switch m := m.(type) {
	case proto.Patch:
		p.patched = true
		p.enqueue(item{patch: m}, len(m.Data))
	case proto.Video:
		p.patched = true
		if r, ok := p.outside(m.Rects); ok {
			p.drop("video rectangle %v outside the %dx%d tile", r, p.w, p.h)
			break
		}
		p.enqueue(item{video: &m}, 8*len(m.Rects))
	default:
		p.drop("a %T on the patch channel", m)
	}
	p.drain()
	p.unlock()
}

func (p *Picture) enqueue(it item, size int) {
	if len(p.queue) >= maxQueue || p.queueBytes+size > maxQueueBytes {
		p.queue, p.queueBytes = p.queue[:0], 0
		p.drop("more than %d messages (%d bytes) wait for a video frame", maxQueue, maxQueueBytes)
	}
	it.since = time.Now()
	p.queue = append(p.queue, it)
	p.queueBytes += size
}

// drain applies the waiting messages in order until one waits for a frame
// not decoded yet.
func (p *Picture) drain() {
	if p.pix == nil {
		return // the first frame gives the size
	}
	for len(p.queue) > 0 {
		it := p.queue[0]
		if it.video != nil {
			if !p.takeVideo(it.video) {
				p.waitFor(it.video)
				return
			}
		} else {
			p.applyPatch(it.patch)
			p.queueBytes -= len(it.patch.Data)
		}
		p.queue[0] = item{}
		p.queue = p.queue[1:]
	}
	if len(p.queue) == 0 {
		p.queue = p.queue[:0:cap(p.queue)]
	}
}

// outside gives the first of rs that lies outside the tile, when its size is
// known.
func (p *Picture) outside(rs []proto.Rect) (image.Rectangle, bool) {
	if p.pix == nil {
		return image.Rectangle{}, false
	}
	tile := image.Rect(0, 0, p.w, p.h)
	for _, pr := range rs {
		if r := pr.Image(); !r.In(tile) {
			return r, true
		}
	}
	return image.Rectangle{}, false
}

// newer reports whether RTP timestamp a is b or later (modulo 2^32).
func newer(a, b uint32) bool { return int32(a-b) >= 0 }

// takeVideo applies v from the frame being shown or the one held, if either
// is v's frame or a later one; false if neither is.
func (p *Picture) takeVideo(v *proto.Video) bool {
	var src *yuv.I420
	switch {
	case p.current != nil && newer(p.currentTS, v.RTP):
		src = p.current
		if p.currentTS == v.RTP {
			p.consumed = true
		}
	case p.holding && newer(p.heldTS, v.RTP):
		src = p.held
	default:
		return false
	}
	tile := image.Rect(0, 0, p.w, p.h)
	for _, pr := range v.Rects {
		r := pr.Image()
		if !r.In(tile) {
			p.drop("video rectangle %v outside the %dx%d tile", r, p.w, p.h)
			continue
		}
		r = yuv.Even(r).Intersect(tile)
		src.ToBGRA(p.pix, 4*p.w, r)
		p.open = append(p.open, r)
	}
	p.publish() // a Video message ends its update
	return true
}

// waitFor starts the clock on v, which waits at the head of the queue.
func (p *Picture) waitFor(v *proto.Video) {
	if p.timer != nil {
		return
	}
	p.timer = time.AfterFunc(maxWait, func() {
		p.mu.Lock()
		p.timer = nil
		if p.closed {
			p.mu.Unlock()
			return
		}
		if len(p.queue) > 0 && p.queue[0].video == v {
			p.queue = p.queue[1:]
			p.drop("the video frame of update %d (RTP %d) never came", v.Update, v.RTP)
			p.drain()
		} else if len(p.queue) > 0 && p.queue[0].video != nil {
			p.waitFor(p.queue[0].video)
		}
		p.unlock()
	})
}

func (p *Picture) applyPatch(m proto.Patch) {
	r := m.Rect.Image()
	if !r.In(image.Rect(0, 0, p.w, p.h)) {
		p.drop("patch %v outside the %dx%d tile", r, p.w, p.h)
		return
	}
	stride := 4 * p.w
	if err := p.dec.Decode(m.Encoding, m.Data, r.Dx(), r.Dy(), p.pix[r.Min.Y*stride+4*r.Min.X:], stride); err != nil {
		p.open = append(p.open, r) // it may hold part of it: redraw
		p.drop("patch %v: %v", r, err)
		return
	}
	p.patches.Add(1)
	p.patchBytes.Add(uint64(len(m.Data)))
	p.open = append(p.open, r)
	if m.Last {
		p.publish()
		if p.cfg.Clock != nil {
			if c, ok := p.cfg.Clock(); ok {
				captured := time.Unix(0, c.UnixNano+int64(m.Stamp-c.RTPBase)*int64(time.Millisecond)/90)
				p.latencyNanos.Add(int64(time.Since(captured)))
				p.latencyUpdates.Add(1)
			}
		}
	}
}

// publish ends the update in progress: its rectangles are the renderer's.
func (p *Picture) publish() {
	p.dirty = append(p.dirty, p.open...)
	p.open = p.open[:0]
	if len(p.dirty) > 256 { // the renderer is behind: one rectangle will do
		u := p.dirty[0]
		for _, r := range p.dirty[1:] {
			u = u.Union(r)
		}
		p.dirty = append(p.dirty[:0], u)
	}
	p.seq++
	p.updates.Add(1)
	p.changed = true
}

// drop counts a message that could not be used and asks for the whole tile.
func (p *Picture) drop(format string, args ...any) {
	p.dropped.Add(1)
	reason := fmt.Sprintf(format, args...)
	if reason != p.lastReason {
		p.log.Warn("patch dropped; asking for the whole picture", "why", reason)
		p.lastReason = reason
	} else {
		p.log.Debug("patch dropped", "why", reason)
	}
	if now := time.Now(); now.Sub(p.refreshed) >= refreshInterval {
		p.refreshed = now
		p.wantFresh = true
	}
}

// unlock releases the lock, then makes the calls owed.
func (p *Picture) unlock() {
	changed, fresh := p.changed, p.wantFresh
	p.changed, p.wantFresh = false, false
	p.mu.Unlock()
	if fresh && p.cfg.Refresh != nil {
		p.refreshes.Add(1)
		p.cfg.Refresh()
	}
	if changed && p.cfg.Changed != nil {
		p.cfg.Changed()
	}
}

// Take calls f with the picture and the rectangles changed since the last
// Take (complete updates only), under the picture's lock: f must be quick and
// must not keep pix. It returns false, without calling f, when nothing
// changed.
func (p *Picture) Take(f func(pix []byte, w, h int, rects []image.Rectangle)) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.dirty) == 0 || p.pix == nil {
		return false
	}
	f(p.pix, p.w, p.h, p.dirty)
	p.dirty = p.dirty[:0]
	return true
}

// Snapshot copies the picture as RGBA; ok is false before the first frame.
// seq grows with every update, so a caller can skip unchanged pictures.
func (p *Picture) Snapshot() (img *image.RGBA, seq uint64, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pix == nil {
		return nil, p.seq, false
	}
	img = image.NewRGBA(image.Rect(0, 0, p.w, p.h))
	for i := 0; i < len(p.pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = p.pix[i+2], p.pix[i+1], p.pix[i], 255
	}
	return img, p.seq, true
}

// Pixel is the colour at (x, y); ok is false outside the picture or before
// the first frame.
func (p *Picture) Pixel(x, y int) (r, g, b uint8, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pix == nil || x < 0 || y < 0 || x >= p.w || y >= p.h {
		return 0, 0, 0, false
	}
	i := 4 * (y*p.w + x)
	return p.pix[i+2], p.pix[i+1], p.pix[i], true
}

// Size is the picture's size (0, 0 before the first frame).
func (p *Picture) Size() (w, h int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.w, p.h
}

// Stats returns the totals so far.
func (p *Picture) Stats() Stats {
	return Stats{Updates: p.updates.Load(), Patches: p.patches.Load(), PatchBytes: p.patchBytes.Load(),
		Videos: p.videos.Load(), Dropped: p.dropped.Load(), Refreshes: p.refreshes.Load(),
		Latency: time.Duration(p.latencyNanos.Load()), LatencyUpdates: p.latencyUpdates.Load()}
}

// Reset starts again for a new connection to the tile: the picture stays as
// it is (shown until something replaces it), and the next video frames are
// the whole picture again until the new patch channel speaks. What waited
// for the old connection's frames is dropped, uncounted.
func (p *Picture) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.patched, p.holding, p.consumed = false, false, false
	clear(p.queue)
	p.queue, p.queueBytes = p.queue[:0], 0
	p.open = p.open[:0]
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.lastReason = ""
}

// Close frees the decoder; later calls do nothing.
func (p *Picture) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	if p.timer != nil {
		p.timer.Stop()
	}
	p.dec.Close()
}

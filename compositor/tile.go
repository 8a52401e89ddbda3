package compositor

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"dream/compositor/capture"
	"dream/compositor/encode"
	"dream/compositor/stream"
	"dream/internal/yuv"
	"dream/proto"
)

// minKeyInterval is the least time between two keyframes of a tile, so that a
// viewer asking for keyframes over and over cannot flood the others with them.
const minKeyInterval = 250 * time.Millisecond

// patchInterval is the least time between two updates of a tile: changes that
// come closer (a glyph and the cursor after it) go as one.
const patchInterval = 1 * time.Millisecond

// Refinement pace: at most refinePixels of coarse parts are sent exact an
// update, refineGap apart, while no patch viewer has more than refineBacklog
// bytes still to send.
const (
	refinePixels  = 4 * block * block
	refineGap     = 4 * time.Millisecond
	refineBacklog = 128 << 10
)

// maxDamage is how many damaged rectangles a tile keeps apart between two
// updates; more are joined into their bounding box.
const maxDamage = 32

// output is where a tile's scheduler sends what it coded: the network side
// (a stream.Tile).
type output interface {
	// SendUpdate sends an update's patches to the patch viewers, and the
	// whole picture to those that wait for it.
	SendUpdate(msgs [][]byte, whole func() [][]byte)
	// WriteFrame sends a video frame to every viewer.
	WriteFrame(f stream.Frame) error
	// Viewers says who watches: how many, how many take the video whole,
	// and how far behind the patch viewers are.
	Viewers() stream.Viewers
}

// tile is one tile's scheduler: it owns the tile's damage and keyframe
// requests, finds what really changed, chooses for each part the patch lane
// or the video lane, and codes each once for every viewer.
type tile struct {
	number int
	rect   image.Rectangle // in screen coordinates
	out    output
	grab   *capture.Grabber
	enc    encode.Encoder
	pic    *yuv.I420 // the video's picture
	shadow *shadow   // the exact picture patches come from
	lanes  *lanes
	patch  *patcher
	log    *slog.Logger

	interval  time.Duration // between video frames
	videoOnly bool          // the patch lane is off: everything is video

	// The mailbox, written by the damage watcher and the viewers.
	mu       sync.Mutex
	damage   []image.Rectangle // tile coordinates
	wake     chan struct{}
	keyframe atomic.Bool

	// The scheduler's own state.
	stale     bool              // the shadow misses changes (no viewer was watching): grab it all
	version   uint64            // grows whenever the shadow changes
	update    uint32            // the last update's number
	yuvDirty  []image.Rectangle // shadow parts not yet in pic
	pending   []image.Rectangle // video-lane boxes not yet sent as video
	videoDue  bool              // a change not yet in the video, for video-only viewers
	rects     []image.Rectangle // scratch
	patchRs   []image.Rectangle // scratch: this update's changes for the patch lane
	refineRs  []image.Rectangle // scratch: coarse parts gone still, to send exact
	lastTick  time.Time
	lastFrame time.Time
	lastKey   time.Time
	failures  int         // frames failed in a row
	timer     *time.Timer // wakes the tile for what is due later
	timerAt   time.Time
	take      []proto.Rect
	now       time.Time // the update's capture time, while it is sent
	one       [1][]byte
	wholeFn   func() [][]byte
	clock     proto.Clock // the network side's RTP clock
}

func newTile(src *capture.Source, number int, r image.Rectangle, cfg Config, log *slog.Logger) (*tile, error) {
	enc, err := encode.New(encode.Config{Codec: cfg.Codec, Width: r.Dx(), Height: r.Dy(), FPS: cfg.FPS, BitrateKbps: cfg.BitrateKbps})
	if err != nil {
		return nil, fmt.Errorf("tile %d: %w", number, err)
	}
	grab, err := src.NewGrabber(r)
	if err != nil {
		enc.Close()
		return nil, fmt.Errorf("tile %d: %w", number, err)
	}
	sh := newShadow(r.Dx(), r.Dy())
	p, err := newPatcher(sh)
	if err != nil {
		enc.Close()
		grab.Close()
		return nil, fmt.Errorf("tile %d: %w", number, err)
	}
	t := &tile{
		number: number, rect: r, grab: grab, enc: enc, pic: yuv.NewI420(r.Dx(), r.Dy()),
		shadow: sh, lanes: newLanes(sh), patch: p,
		interval:  time.Second / time.Duration(cfg.FPS),
		videoOnly: cfg.VideoOnly,
		log:       log.With("tile", number),
		wake:      make(chan struct{}, 1),
		stale:     true,
	}
	t.wholeFn = t.wholePicture
	return t, nil
}

// Keyframe asks for an intra frame (a viewer joined, or lost packets).
func (t *tile) Keyframe() {
	t.keyframe.Store(true)
	t.Wake()
}

// Wake wakes the scheduler without blocking.
func (t *tile) Wake() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// markDirty records that rs (screen coordinates, clipped to the tile)
// changed.
func (t *tile) markDirty(rs []image.Rectangle) {
	t.mu.Lock()
	for _, r := range rs {
		if r = r.Intersect(t.rect); !r.Empty() {
			t.damage = append(t.damage, r.Sub(t.rect.Min))
		}
	}
	if len(t.damage) > maxDamage {
		u := t.damage[0]
		for _, r := range t.damage[1:] {
			u = u.Union(r)
		}
		t.damage = append(t.damage[:0], u)
	}
	t.mu.Unlock()
	t.Wake()
}

// takeDamage hands over the damage since the last call into dst.
func (t *tile) takeDamage(dst []image.Rectangle) []image.Rectangle {
	t.mu.Lock()
	dst = append(dst[:0], t.damage...)
	t.damage = t.damage[:0]
	t.mu.Unlock()
	return dst
}

// run updates the tile whenever it is woken and something is due, until ctx
// ends.
func (t *tile) run(ctx context.Context) error {
	t.patch.start()
	defer t.patch.stop()
	t.timer = time.NewTimer(time.Hour)
	t.timer.Stop()
	defer t.timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.wake:
		case <-t.timer.C:
			t.timerAt = time.Time{}
		}
		v := t.out.Viewers()
		if v.All == 0 {
			// A keyframe asked for stays asked for: the viewer that asked
			// may be counted a moment after this wake-up.
			if len(t.takeDamage(t.rects)) > 0 {
				t.stale = true
			}
			continue
		}
		if wait := time.Until(t.lastTick.Add(patchInterval)); wait > 0 {
			t.wakeAt(time.Now().Add(wait))
			continue
		}
		err := t.tick(v.VideoOnly > 0 || t.videoOnly, v.Backlog)
		switch {
		case errors.Is(err, capture.ErrDisplayLost) || errors.Is(err, capture.ErrClosed):
			return err // the display is gone: nothing more to show
		case err != nil:
			// One bad frame must not end the others' session: start again from a
			// fresh grab and a keyframe, no sooner than a keyframe may come.
			if t.failures++; t.failures == 1 {
				t.log.Warn("update failed; retrying with a keyframe", "err", err)
			}
			now := time.Now()
			t.lastFrame, t.lastKey, t.stale = now, now, true
			t.keyframe.Store(true)
			t.wakeAt(now.Add(minKeyInterval))
		case t.failures > 0:
			t.log.Info("updates flow again", "failed", t.failures)
			t.failures = 0
		}
	}
}

// wakeAt makes the scheduler run again at at, unless it is due sooner.
func (t *tile) wakeAt(at time.Time) {
	if !t.timerAt.IsZero() && !at.Before(t.timerAt) {
		return
	}
	t.timerAt = at
	t.timer.Reset(time.Until(at))
}

// tick sends what changed: the patches at once, then, when due, a video
// frame. videoAll is set while some viewer takes only the video (then every
// change goes into it as well).
func (t *tile) tick(videoAll bool, backlog int) error {
	now := time.Now() // the update's capture time
	t.lastTick = now
	changed, err := t.capture()
	if err != nil {
		return err
	}
	if changed {
		t.version++
		t.videoDue = t.videoDue || videoAll
	}
	t.lanes.record(now)
	patchRs := t.patchRs[:0]
	if t.videoOnly {
		for _, c := range t.shadow.touched {
			t.pending = append(t.pending, t.shadow.boxes[c])
		}
	} else {
		t.pending, patchRs = t.lanes.split(now, t.pending, patchRs)
	}
	// Exact refinements go a little at a time, and only while the viewers'
	// patch channels are nearly drained: a keystroke's patch must not queue
	// behind a photo's exact pixels.
	refine := t.refineRs[:0]
	if backlog <= refineBacklog {
		refine = t.lanes.settled(now, refine, refinePixels)
	}

	frame := t.keyframe.Load() || len(t.pending) > 0 || t.videoDue
	if frame {
		if at := t.lastFrame.Add(t.interval); now.Before(at) {
			t.wakeAt(at) // the video waits its turn; the patches do not
			frame = false
		}
	}
	key := frame && t.takeKeyframe(now)
	if frame && !key && len(t.pending) == 0 && !t.videoDue {
		frame = false // only a keyframe was asked for, and it must wait
	}

	patchRs, refine = mergeRects(patchRs), mergeRects(refine)
	t.patchRs, t.refineRs = patchRs, refine
	if len(patchRs) > 0 || len(refine) > 0 || frame {
		t.update++
	}
	for _, r := range patchRs {
		t.lanes.exact(r) // unless a JPEG first version makes it coarse again
	}
	// The changes first (a large photographic block may go as JPEG first),
	// then the exact pixels of what went still.
	t.now = now
	stamp := t.stamp(now)
	sent := t.patch.send(t.update, stamp, patchRs, true, !frame && len(refine) == 0, t.sendOne, t.lanes.coarse, t.cost)
	sent += t.patch.send(t.update, stamp, refine, false, !frame, t.sendOne, t.lanes.coarse, t.cost)
	if sent == 0 {
		t.out.SendUpdate(nil, t.wholeFn) // for the viewers that wait for the whole picture
	}
	if frame {
		err = t.frame(now, key)
	}
	if due := t.lanes.due(); !due.IsZero() {
		if soon := now.Add(refineGap); due.Before(soon) {
			due = soon
		}
		t.wakeAt(due) // coarse parts get their exact pixels once still
	}
	return err
}

// sendOne sends one patch message (as soon as it is coded).
func (t *tile) sendOne(msg []byte) {
	t.one[0] = msg
	t.out.SendUpdate(t.one[:], t.wholeFn)
}

// cost tells the lanes what a patch cost.
func (t *tile) cost(r image.Rectangle, bytes int, took time.Duration) {
	t.lanes.cost(r, bytes, took, t.now)
}

// wholePicture is the whole tile in exact patches, for viewers that need it.
func (t *tile) wholePicture() [][]byte {
	return t.patch.wholePicture(t.update, t.stamp(t.lastTick), t.version)
}

// stamp is capture time at on the tile's RTP clock (90 kHz), which the
// viewers know from the Clock message.
func (t *tile) stamp(at time.Time) uint32 {
	return t.clock.RTPBase + uint32(at.Sub(time.Unix(0, t.clock.UnixNano))*90/time.Millisecond)
}

// takeKeyframe honours a keyframe request unless the last keyframe is too
// recent; then it leaves the request pending and wakes the tile when it may
// be honoured.
func (t *tile) takeKeyframe(now time.Time) bool {
	if !t.keyframe.Load() {
		return false
	}
	if at := t.lastKey.Add(minKeyInterval); now.Before(at) {
		t.wakeAt(at)
		return false
	}
	return t.keyframe.Swap(false)
}

// frame brings the video's picture up to date, encodes it and sends it, with
// the video-lane boxes for the patch viewers to take.
func (t *tile) frame(now time.Time, key bool) error {
	t.yuvDirty = mergeRects(t.yuvDirty)
	for _, r := range t.yuvDirty {
		r = yuv.Even(r).Intersect(image.Rect(0, 0, t.shadow.w, t.shadow.h))
		pix, stride := t.shadow.at(r)
		part := t.pic.Sub(r)
		yuv.FromBGRX(&part, pix, stride)
	}
	t.yuvDirty = t.yuvDirty[:0]
	f, err := t.enc.Encode(t.pic, key)
	if err != nil {
		return fmt.Errorf("tile %d: %w", t.number, err)
	}
	t.lastFrame = now
	if f.Key {
		t.lastKey = now
	}
	t.take = t.take[:0]
	full := image.Rect(0, 0, t.shadow.w, t.shadow.h)
	for _, r := range mergeRects(t.pending) {
		// Even corners, as the viewer converts the frame's 4:2:0 colour.
		r = yuv.Even(r).Intersect(full)
		t.take = append(t.take, proto.RectOf(r))
		t.lanes.coarse(r)
	}
	t.pending, t.videoDue = t.pending[:0], false
	if len(f.Data) == 0 {
		return nil
	}
	if err := t.out.WriteFrame(stream.Frame{Data: f.Data, Key: f.Key, Captured: now, Update: t.update, Take: t.take}); err != nil {
		t.log.Debug("send failed", "err", err)
	}
	return nil
}

func (t *tile) close() error {
	t.patch.close()
	return errors.Join(t.enc.Close(), t.grab.Close())
}

// capture grabs the damaged parts of the tile (all of it when stale) into
// the shadow; changed says whether any pixel differed.
func (t *tile) capture() (changed bool, err error) {
	t.shadow.reset()
	t.rects = t.takeDamage(t.rects)
	if t.stale {
		all := image.Rect(0, 0, t.shadow.w, t.shadow.h)
		t.rects = append(t.rects[:0], all)
		t.yuvDirty = append(t.yuvDirty[:0], all) // the video's picture may never have had it
		t.stale = false
	}
	if len(t.rects) == 0 {
		return false, nil
	}
	t.rects = mergeRects(t.rects)
	for _, r := range t.rects {
		pix, stride, err := t.grab.GrabPart(r.Add(t.rect.Min))
		if err != nil {
			t.stale = true
			return false, fmt.Errorf("tile %d: %w", t.number, err)
		}
		t.shadow.apply(r, pix, stride)
	}
	for _, c := range t.shadow.touched {
		t.yuvDirty = append(t.yuvDirty, t.shadow.boxes[c])
	}
	return len(t.shadow.touched) > 0, nil
}

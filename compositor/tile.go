package compositor

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"time"

	"dream/compositor/capture"
	"dream/compositor/encode"
	"dream/compositor/stream"
	"dream/internal/yuv"
)

// minKeyInterval is the least time between two keyframes of a tile, so that a
// viewer asking for keyframes over and over cannot flood the others with them.
const minKeyInterval = 250 * time.Millisecond

// tile is one tile's goroutine state: its grabber, picture and encoder.
type tile struct {
	stream   *stream.Tile
	grab     *capture.Grabber
	enc      encode.Encoder
	pic      *yuv.I420
	interval time.Duration
	log      *slog.Logger

	// stale is set while the picture misses changes that were not grabbed (no
	// viewer was watching); the next frame grabs the whole tile.
	stale bool

	lastFrame, lastKey time.Time
	failures           int         // frames failed in a row
	keyTimer           *time.Timer // wakes the tile when a deferred keyframe is due
	pace               *time.Timer // waits out the frame interval
}

func newTile(src *capture.Source, number int, r image.Rectangle, cfg Config, log *slog.Logger) (*tile, error) {
	st, err := stream.NewTile(number, r, cfg.Codec)
	if err != nil {
		return nil, err
	}
	enc, err := encode.New(encode.Config{Codec: cfg.Codec, Width: r.Dx(), Height: r.Dy(), FPS: cfg.FPS, BitrateKbps: cfg.BitrateKbps})
	if err != nil {
		return nil, fmt.Errorf("tile %d: %w", number, err)
	}
	grab, err := src.NewGrabber(r)
	if err != nil {
		enc.Close()
		return nil, fmt.Errorf("tile %d: %w", number, err)
	}
	return &tile{
		stream: st, grab: grab, enc: enc, pic: yuv.NewI420(r.Dx(), r.Dy()),
		interval: time.Second / time.Duration(cfg.FPS),
		log:      log.With("tile", number),
		stale:    true,
	}, nil
}

// run encodes the tile whenever it is woken and has something to send, at most
// once per frame interval, until ctx ends.
func (t *tile) run(ctx context.Context) error {
	defer func() {
		if t.keyTimer != nil {
			t.keyTimer.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.stream.Wake():
		}
		if t.stream.Viewers() == 0 {
			if !t.stream.TakeDirty().Empty() {
				t.stale = true
			}
			t.stream.TakeKeyframe()
			continue
		}
		if wait := time.Until(t.lastFrame.Add(t.interval)); wait > 0 {
			if !t.sleep(ctx, wait) {
				return nil
			}
		}
		key := t.takeKeyframe()
		dirty := t.stream.TakeDirty()
		if !key && dirty.Empty() {
			continue
		}
		err := t.frame(key, dirty)
		switch {
		case errors.Is(err, capture.ErrDisplayLost) || errors.Is(err, capture.ErrClosed):
			return err // the display is gone: nothing more to show
		case err != nil:
			// One bad frame must not end the others' session: start again from a
			// fresh grab and a keyframe, no sooner than a keyframe may come.
			if t.failures++; t.failures == 1 {
				t.log.Warn("frame failed; retrying with a keyframe", "err", err)
			}
			now := time.Now()
			t.lastFrame, t.lastKey, t.stale = now, now, true
			t.stream.RequestKeyframe()
		case t.failures > 0:
			t.log.Info("frames flow again", "failed", t.failures)
			t.failures = 0
		}
	}
}

// takeKeyframe honours a keyframe request unless the last keyframe is too recent;
// then it leaves the request pending and wakes the tile when it may be honoured.
func (t *tile) takeKeyframe() bool {
	if !t.stream.KeyframeRequested() {
		return false
	}
	if wait := time.Until(t.lastKey.Add(minKeyInterval)); wait > 0 {
		if t.keyTimer == nil {
			t.keyTimer = time.AfterFunc(wait, t.stream.Poke)
		} else {
			t.keyTimer.Reset(wait)
		}
		return false
	}
	return t.stream.TakeKeyframe()
}

// frame updates the picture where dirty (screen coordinates) says it changed,
// then encodes and sends it.
func (t *tile) frame(key bool, dirty image.Rectangle) error {
	captured := time.Now() // the frame's time, in its RTP timestamp
	if err := t.update(dirty); err != nil {
		return fmt.Errorf("tile %d: %w", t.stream.Number, err)
	}
	f, err := t.enc.Encode(t.pic, key)
	if err != nil {
		return fmt.Errorf("tile %d: %w", t.stream.Number, err)
	}
	t.lastFrame = captured
	if f.Key {
		t.lastKey = captured
	}
	if len(f.Data) == 0 {
		return nil
	}
	if err := t.stream.WriteFrame(f.Data, f.Key, captured); err != nil {
		t.log.Debug("send failed", "err", err)
	}
	return nil
}

// update grabs the changed part of the tile, widened to even corners for the
// chroma planes, and converts it into the picture; the whole tile when the
// picture is stale.
func (t *tile) update(dirty image.Rectangle) error {
	area := t.grab.Rect()
	if !t.stale {
		if dirty.Empty() {
			return nil // a keyframe of what the picture already holds
		}
		area = yuv.Even(dirty.Sub(area.Min)).Add(area.Min).Intersect(area)
	}
	pix, stride, err := t.grab.GrabPart(area)
	if err != nil {
		return err
	}
	part := t.pic.Sub(area.Sub(t.grab.Rect().Min))
	yuv.FromBGRX(&part, pix, stride)
	t.stale = false
	return nil
}

func (t *tile) close() error {
	return errors.Join(t.enc.Close(), t.grab.Close())
}

// sleep waits d or until ctx ends; it reports whether d passed. The timer is
// reused: this runs once per frame.
func (t *tile) sleep(ctx context.Context, d time.Duration) bool {
	if t.pace == nil {
		t.pace = time.NewTimer(d)
	} else {
		t.pace.Reset(d)
	}
	select {
	case <-t.pace.C:
		return true
	case <-ctx.Done():
		t.pace.Stop()
		return false
	}
}

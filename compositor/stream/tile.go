package stream

import (
	"fmt"
	"image"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"dream/internal/rtc"
)

// Tile is one tile's video track, shared by every viewer of the tile, and the
// signals between the viewers and the tile's encoder.
type Tile struct {
	Number int
	Rect   image.Rectangle
	Codec  string

	track    *webrtc.TrackLocalStaticSample
	wake     chan struct{}
	viewers  atomic.Int32
	keyframe atomic.Bool

	dirtyMu sync.Mutex
	dirty   image.Rectangle // screen coordinates; empty when clean

	frames, keyframes, bytes atomic.Uint64

	writeMu   sync.Mutex // serialises WriteFrame; held by the tile's encoder only
	lastWrite time.Time
}

// NewTile makes the track for tile number (1-based) covering rect, sent in codec.
func NewTile(number int, rect image.Rectangle, codec string) (*Tile, error) {
	c, ok := rtc.Codecs[codec]
	if !ok {
		return nil, fmt.Errorf("tile %d: codec %q (want h264 or vp8): %w", number, codec, rtc.ErrUnknownCodec)
	}
	track, err := webrtc.NewTrackLocalStaticSample(c.RTPCodecCapability,
		fmt.Sprintf("tile%d", number), fmt.Sprintf("dream-tile%d", number))
	if err != nil {
		return nil, fmt.Errorf("tile %d: %w", number, err)
	}
	return &Tile{Number: number, Rect: rect, Codec: codec, track: track, wake: make(chan struct{}, 1)}, nil
}

// Wake is signalled when the tile has something to do: its pixels changed, a
// viewer joined, or a viewer asked for a keyframe. Signals coalesce.
func (t *Tile) Wake() <-chan struct{} { return t.wake }

// Poke signals Wake without blocking.
func (t *Tile) Poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// MarkDirty records that the pixels in r (screen coordinates, inside the tile)
// changed, and wakes the encoder.
func (t *Tile) MarkDirty(r image.Rectangle) {
	t.dirtyMu.Lock()
	t.dirty = t.dirty.Union(r)
	t.dirtyMu.Unlock()
	t.Poke()
}

// TakeDirty returns what changed since the last call (empty if nothing did) and
// marks the tile clean.
func (t *Tile) TakeDirty() image.Rectangle {
	t.dirtyMu.Lock()
	defer t.dirtyMu.Unlock()
	r := t.dirty
	t.dirty = image.Rectangle{}
	return r
}

// Viewers is the number of viewers whose connection is up.
func (t *Tile) Viewers() int { return int(t.viewers.Load()) }

// RequestKeyframe asks the encoder for an intra frame (a viewer joined, or lost
// packets) and wakes it.
func (t *Tile) RequestKeyframe() {
	t.keyframe.Store(true)
	t.Poke()
}

// KeyframeRequested reports whether a keyframe is wanted, without clearing it.
func (t *Tile) KeyframeRequested() bool { return t.keyframe.Load() }

// TakeKeyframe reports whether a keyframe was requested and clears the request.
func (t *Tile) TakeKeyframe() bool { return t.keyframe.Swap(false) }

// WriteFrame sends one encoded access unit to every viewer of the tile. It never
// blocks on a viewer: pion drops what a viewer's transport cannot take.
func (t *Tile) WriteFrame(data []byte, key bool, now time.Time) error {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	d := now.Sub(t.lastWrite)
	if t.lastWrite.IsZero() || d <= 0 || d > time.Second {
		d = time.Second / 30
	}
	t.lastWrite = now
	t.frames.Add(1)
	t.bytes.Add(uint64(len(data)))
	if key {
		t.keyframes.Add(1)
	}
	if err := t.track.WriteSample(media.Sample{Data: data, Duration: d}); err != nil {
		return fmt.Errorf("tile %d: send frame: %w", t.Number, err)
	}
	return nil
}

// TileStats is a tile as GET /tiles shows it.
type TileStats struct {
	Tile      int    `json:"tile"`
	X         int    `json:"x"`
	Y         int    `json:"y"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Codec     string `json:"codec"`
	Viewers   int    `json:"viewers"`
	Frames    uint64 `json:"frames"`    // access units encoded and sent
	Keyframes uint64 `json:"keyframes"` // of which intra frames
	Bytes     uint64 `json:"bytes"`     // encoded bytes sent (once, whatever the viewer count)
}

// Stats returns the tile's counters.
func (t *Tile) Stats() TileStats {
	return TileStats{
		Tile: t.Number, X: t.Rect.Min.X, Y: t.Rect.Min.Y, Width: t.Rect.Dx(), Height: t.Rect.Dy(),
		Codec: t.Codec, Viewers: t.Viewers(),
		Frames: t.frames.Load(), Keyframes: t.keyframes.Load(), Bytes: t.bytes.Load(),
	}
}

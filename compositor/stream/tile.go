package stream

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"

	"dream/internal/rtc"
	"dream/proto"
)

// Tile is one tile's video track, shared by every viewer of the tile, and the
// signals between the viewers and the tile's encoder.
type Tile struct {
	Number int
	Rect   image.Rectangle
	Codec  string

	track    *webrtc.TrackLocalStaticRTP
	wake     chan struct{}
	viewers  atomic.Int32
	keyframe atomic.Bool

	dirtyMu sync.Mutex
	dirty   image.Rectangle // screen coordinates; empty when clean

	frames, keyframes, bytes atomic.Uint64
	inputDropped             atomic.Uint64

	writeMu    sync.Mutex // serialises WriteFrame; held by the tile's encoder only
	packetizer rtp.Packetizer
	start      time.Time   // when RTP time began (at clock.RTPBase)
	clock      proto.Clock // start and its timestamp, for viewers
	ticks      int64       // 90 kHz ticks from start to the last frame
}

// Clock ties the tile's RTP timestamps to wall-clock time.
func (t *Tile) Clock() proto.Clock {
	c := t.clock
	c.UnixNano = t.start.UnixNano()
	return c
}

// mtu is the largest RTP packet sent, as pion's own tracks use.
const mtu = 1200

// NewTile makes the track for tile number (1-based) covering rect, sent in codec.
func NewTile(number int, rect image.Rectangle, codec string) (*Tile, error) {
	c, ok := rtc.Codecs[codec]
	if !ok {
		return nil, fmt.Errorf("tile %d: codec %q (want h264 or vp8): %w", number, codec, rtc.ErrUnknownCodec)
	}
	track, err := webrtc.NewTrackLocalStaticRTP(c.RTPCodecCapability,
		fmt.Sprintf("tile%d", number), fmt.Sprintf("dream-tile%d", number))
	if err != nil {
		return nil, fmt.Errorf("tile %d: %w", number, err)
	}
	var payloader rtp.Payloader = &codecs.H264Payloader{}
	if codec == "vp8" {
		payloader = &codecs.VP8Payloader{EnablePictureID: true}
	}
	// RTP time starts now, at a random timestamp: the Clock message ties them.
	// Payload type and SSRC are each viewer's, set by the track as it writes.
	var b [4]byte
	rand.Read(b[:])
	base := binary.BigEndian.Uint32(b[:])
	p := rtp.NewPacketizerWithOptions(mtu, payloader, rtp.NewRandomSequencer(), c.ClockRate, rtp.WithTimestamp(base))
	return &Tile{Number: number, Rect: rect, Codec: codec, track: track, packetizer: p,
		start: time.Now(), clock: proto.Clock{RTPBase: base}, wake: make(chan struct{}, 1)}, nil
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

// WriteFrame sends one encoded access unit, captured at now, to every viewer of
// the tile: it is packetized once, and each viewer gets the same packets. Its RTP
// timestamp is now on the 90 kHz clock, so a viewer's jitter estimate sees the
// real spacing of frames that come only when the screen changes. It never blocks
// on a viewer: pion drops what a viewer's transport cannot take.
func (t *Tile) WriteFrame(data []byte, key bool, now time.Time) error {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	ticks := int64(now.Sub(t.start)) * 90 / int64(time.Millisecond)
	if ticks < t.ticks {
		ticks = t.ticks // never backwards (a capture time before the last one)
	}
	t.packetizer.SkipSamples(uint32(ticks - t.ticks)) // wraps like RTP timestamps do
	t.ticks = ticks
	t.frames.Add(1)
	t.bytes.Add(uint64(len(data)))
	if key {
		t.keyframes.Add(1)
	}
	var errs []error
	for _, p := range t.packetizer.Packetize(data, 0) {
		if err := t.track.WriteRTP(p); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
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
	// InputDropped counts viewers' input messages that were malformed, out of
	// range, stale or sent to a view-only tile.
	InputDropped uint64 `json:"input_dropped"`
}

// Stats returns the tile's counters.
func (t *Tile) Stats() TileStats {
	return TileStats{
		Tile: t.Number, X: t.Rect.Min.X, Y: t.Rect.Min.Y, Width: t.Rect.Dx(), Height: t.Rect.Dy(),
		Codec: t.Codec, Viewers: t.Viewers(),
		Frames: t.frames.Load(), Keyframes: t.keyframes.Load(), Bytes: t.bytes.Load(),
		InputDropped: t.inputDropped.Load(),
	}
}

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

// Feed is what encodes a tile (dreamcomp's per-tile scheduler): the tile's
// viewers ask it for keyframes and whole pictures through it. Its methods are
// called from the network's goroutines and must not block.
type Feed interface {
	// Keyframe asks for an intra frame soon: a viewer joined or lost video.
	Keyframe()
	// Wake says that a patch viewer waits for the whole picture: the next
	// SendUpdate, even an empty one, gives it.
	Wake()
}

// Tile is one tile's video track, shared by every viewer of the tile, and its
// viewers on the patch channel.
type Tile struct {
	Number int
	Rect   image.Rectangle
	Codec  string

	track   *webrtc.TrackLocalStaticRTP
	feed    Feed
	viewers atomic.Int32

	patchMu sync.Mutex
	patch   []*patchViewer // viewers whose patch channel is open

	frames, keyframes, bytes atomic.Uint64
	patches, patchBytes      atomic.Uint64
	updates                  atomic.Uint64
	wholes, behind           atomic.Uint64
	inputDropped             atomic.Uint64
	patchDropped             atomic.Uint64

	writeMu    sync.Mutex // serialises WriteFrame; held by the tile's encoder only
	packetizer rtp.Packetizer
	start      time.Time   // when RTP time began (at clock.RTPBase)
	clock      proto.Clock // start and its timestamp, for viewers
	ticks      int64       // 90 kHz ticks from start to the last frame
	msg        []byte      // the Video message, reused
}

// Clock ties the tile's RTP timestamps to wall-clock time.
func (t *Tile) Clock() proto.Clock {
	c := t.clock
	c.UnixNano = t.start.UnixNano()
	return c
}

// mtu is the largest RTP packet sent, as pion's own tracks use.
const mtu = 1200

// NewTile makes the track for tile number (1-based) covering rect, sent in
// codec; its viewers' requests go to feed (nil: nowhere).
func NewTile(number int, rect image.Rectangle, codec string, feed Feed) (*Tile, error) {
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
	if feed == nil {
		feed = noFeed{}
	}
	// RTP time starts now, at a random timestamp: the Clock message ties them.
	// Payload type and SSRC are each viewer's, set by the track as it writes.
	var b [4]byte
	rand.Read(b[:])
	base := binary.BigEndian.Uint32(b[:])
	p := rtp.NewPacketizerWithOptions(mtu, payloader, rtp.NewRandomSequencer(), c.ClockRate, rtp.WithTimestamp(base))
	return &Tile{Number: number, Rect: rect, Codec: codec, track: track, packetizer: p, feed: feed,
		start: time.Now(), clock: proto.Clock{RTPBase: base}}, nil
}

type noFeed struct{}

func (noFeed) Keyframe() {}
func (noFeed) Wake()     {}

// Viewers is who watches the tile, as its scheduler needs to know.
type Viewers struct {
	All int // viewers whose connection is up
	// VideoOnly of them take the video whole: they have no patch channel (a
	// plain WHEP player), so every change must go into the video for them.
	VideoOnly int
	// Backlog is what the most behind patch viewer still has to send, in
	// bytes (one waiting for the whole picture not counted): exact
	// refinements wait while it is large, so that a keystroke does not queue
	// behind them.
	Backlog int
}

// Viewers says who watches the tile.
func (t *Tile) Viewers() Viewers {
	v := Viewers{All: int(t.viewers.Load())}
	t.patchMu.Lock()
	n := len(t.patch)
	for _, p := range t.patch {
		if !p.whole.Load() {
			v.Backlog = max(v.Backlog, int(p.dc.BufferedAmount()))
		}
	}
	t.patchMu.Unlock()
	v.VideoOnly = max(0, v.All-n)
	return v
}

// Frame is one encoded video frame of the tile.
type Frame struct {
	Data     []byte // one access unit
	Key      bool
	Captured time.Time // its RTP timestamp
	// For viewers on the patch channel: the frame ends update Update, and
	// they take the rectangles Take of it into their picture (none: nothing).
	Update uint32
	Take   []proto.Rect
}

// WriteFrame sends one encoded frame to every viewer of the tile: it is
// packetized once, and each viewer gets the same packets. Viewers on the patch
// channel get, just before, the Video message that says what to take of it.
// Its RTP timestamp is f.Captured on the 90 kHz clock, so a viewer's jitter
// estimate sees the real spacing of frames that come only when the screen
// changes. It never blocks on a viewer: pion drops what a viewer's transport
// cannot take.
func (t *Tile) WriteFrame(f Frame) error {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	ticks := int64(f.Captured.Sub(t.start)) * 90 / int64(time.Millisecond)
	if ticks < t.ticks {
		ticks = t.ticks // never backwards (a capture time before the last one)
	}
	t.packetizer.SkipSamples(uint32(ticks - t.ticks)) // wraps like RTP timestamps do
	t.ticks = ticks
	t.msg = proto.Video{Update: f.Update, Last: true, RTP: t.clock.RTPBase + uint32(ticks), Rects: f.Take}.AppendMarshal(t.msg[:0])
	t.sendPatches([][]byte{t.msg}, nil)
	t.updates.Add(1)
	t.frames.Add(1)
	t.bytes.Add(uint64(len(f.Data)))
	if f.Key {
		t.keyframes.Add(1)
	}
	var errs []error
	for _, p := range t.packetizer.Packetize(f.Data, 0) {
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
	// Updates counts the tile's updates: video frames, and patches sent
	// together (a typed character and the cursor after it are one).
	Updates uint64 `json:"updates"`
	// The patch lane: viewers on it, patch messages and their bytes (encoded
	// once, whatever the viewer count), whole pictures sent to viewers that
	// joined, asked or caught up, updates a viewer too far behind skipped
	// (it gets the whole picture instead), and viewers' messages dropped.
	PatchViewers int    `json:"patch_viewers"`
	Patches      uint64 `json:"patches"`
	PatchBytes   uint64 `json:"patch_bytes"`
	Wholes       uint64 `json:"wholes"`
	Behind       uint64 `json:"behind"`
	PatchDropped uint64 `json:"patch_dropped"`
}

// Stats returns the tile's counters.
func (t *Tile) Stats() TileStats {
	v := t.Viewers()
	all, videoOnly := v.All, v.VideoOnly
	return TileStats{
		Tile: t.Number, X: t.Rect.Min.X, Y: t.Rect.Min.Y, Width: t.Rect.Dx(), Height: t.Rect.Dy(),
		Codec: t.Codec, Viewers: all, PatchViewers: all - videoOnly,
		Frames: t.frames.Load(), Keyframes: t.keyframes.Load(), Bytes: t.bytes.Load(),
		InputDropped: t.inputDropped.Load(),
		Updates:      t.updates.Load(), Patches: t.patches.Load(), PatchBytes: t.patchBytes.Load(), Wholes: t.wholes.Load(),
		Behind: t.behind.Load(), PatchDropped: t.patchDropped.Load(),
	}
}

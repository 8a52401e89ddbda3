package player

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"dream/internal/yuv"
	"dream/viewer/client"
	"dream/viewer/decode"
)

// Sink shows decoded pictures (a compose.Picture). Show is called from the
// decoding goroutine with each picture and its frame's RTP timestamp, and must
// not keep pic after it returns.
type Sink interface {
	Show(pic *yuv.I420, rtp uint32)
}

// Player decodes frames into a sink. Handle is called from one goroutine; Stats
// from any.
type Player struct {
	sink  Sink
	dec   decode.Decoder
	codec string

	frames, bytes atomic.Uint64
	decodeNanos   atomic.Int64
	latencyNanos  atomic.Int64 // capture to shown, frames with a capture time
	latencyFrames atomic.Uint64
	mu            sync.Mutex
	size          [2]int
}

// New returns a player that shows pictures on sink.
func New(sink Sink) *Player { return &Player{sink: sink} }

// Handle decodes one frame and shows it. It is a client.Session.Frames handler.
func (p *Player) Handle(f client.Frame) error {
	if p.dec == nil || p.codec != f.Codec {
		if p.dec != nil {
			p.dec.Close()
		}
		dec, err := decode.New(f.Codec)
		if err != nil {
			return err
		}
		p.dec, p.codec = dec, f.Codec
	}
	start := time.Now()
	pic, err := p.dec.Decode(f.Data)
	if err != nil {
		return fmt.Errorf("decode %s frame of %d bytes: %w", f.Codec, len(f.Data), err)
	}
	p.decodeNanos.Add(int64(time.Since(start)))
	p.bytes.Add(uint64(len(f.Data)))
	if pic == nil {
		return nil
	}
	p.frames.Add(1)
	if p.size != [2]int{pic.Width, pic.Height} {
		p.mu.Lock()
		p.size = [2]int{pic.Width, pic.Height}
		p.mu.Unlock()
	}
	p.sink.Show(pic, f.Timestamp)
	if !f.Captured.IsZero() {
		p.latencyNanos.Add(int64(time.Since(f.Captured)))
		p.latencyFrames.Add(1)
	}
	return nil
}

// Stats are a player's running totals.
type Stats struct {
	Frames     uint64        // pictures decoded and shown
	Bytes      uint64        // encoded bytes received
	DecodeTime time.Duration // spent decoding, all frames together
	Width      int
	Height     int
	// Latency is capture to shown, summed over LatencyFrames frames (those
	// that came after the desktop's clock). Meaningful when this machine and
	// the desktop share a clock.
	Latency       time.Duration
	LatencyFrames uint64
}

// Stats returns the totals so far.
func (p *Player) Stats() Stats {
	p.mu.Lock()
	w, h := p.size[0], p.size[1]
	p.mu.Unlock()
	return Stats{Frames: p.frames.Load(), Bytes: p.bytes.Load(), DecodeTime: time.Duration(p.decodeNanos.Load()), Width: w, Height: h,
		Latency: time.Duration(p.latencyNanos.Load()), LatencyFrames: p.latencyFrames.Load()}
}

// Close releases the decoder. Call it after the last Handle.
func (p *Player) Close() error {
	if p.dec == nil {
		return nil
	}
	return p.dec.Close()
}

package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"

	"dream/internal/rtc"
)

// ErrLost is returned by Frames when the connection to the server ends.
var ErrLost = errors.New("connection to the server lost")

// maxFrameBytes bounds one access unit; a larger one is dropped as corrupt.
const maxFrameBytes = 8 << 20

// pliInterval is the least time between two keyframe requests.
const pliInterval = 250 * time.Millisecond

// Frame is one encoded access unit. Data is valid until the handler returns.
type Frame struct {
	Codec    string // "h264" or "vp8"
	Data     []byte
	Key       bool
	Timestamp uint32    // RTP timestamp: 90 kHz, when the server captured it
	Received  time.Time // when its last packet arrived
}

// Frames reads the tile's video and calls handle with each complete frame, from
// one goroutine, until ctx ends (nil) or the connection is lost (ErrLost). A
// handler error (a frame that did not decode) asks for a keyframe and skips
// frames until it comes.
func (s *Session) Frames(ctx context.Context, handle func(Frame) error) error {
	var track *webrtc.TrackRemote
	timer := time.NewTimer(s.cfg.ConnectTimeout)
	select {
	case track = <-s.track:
		timer.Stop()
	case <-timer.C:
		return fmt.Errorf("%s tile %d: no video within %v (blocked UDP? the server must be reachable over UDP): %w",
			s.cfg.URL, s.cfg.Tile, s.cfg.ConnectTimeout, ErrLost)
	case <-s.failed:
		return fmt.Errorf("%s tile %d: connection failed before any video: %w", s.cfg.URL, s.cfg.Tile, ErrLost)
	case <-ctx.Done():
		return nil
	}
	codec, err := rtc.CodecName(track.Codec().MimeType)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { s.pc.Close() })
	defer stop()
	go func() {
		select {
		case <-s.failed:
			s.pc.Close() // ends track.Read
		case <-ctx.Done():
		}
	}()

	a := assembler{codec: codec, needKey: true}
	ssrc := uint32(track.SSRC())
	var lastPLI time.Time
	askKey := func() {
		if now := time.Now(); now.Sub(lastPLI) >= pliInterval {
			lastPLI = now
			s.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}})
		}
	}
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	for {
		n, _, err := track.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("%s tile %d: %w", s.cfg.URL, s.cfg.Tile, ErrLost)
		}
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			continue
		}
		f, ok := a.push(&pkt)
		if a.wantKey {
			a.wantKey = false
			askKey()
		}
		if !ok {
			continue
		}
		f.Received = time.Now()
		if err := handle(f); err != nil {
			s.log.Debug("frame rejected", "err", err)
			a.needKey = true
			askKey()
		}
	}
}

// assembler joins RTP payloads into access units, ending each on the marker bit.
type assembler struct {
	codec   string
	frame   []byte
	started bool   // seq is valid
	seq     uint16 // last sequence number seen
	broken  bool   // a packet of the frame being built is missing
	needKey bool   // skip frames until a keyframe
	wantKey bool   // ask the server for one
	h264    codecs.H264Packet
	vp8     codecs.VP8Packet
}

// push adds one packet and returns a frame when the packet completed one.
func (a *assembler) push(p *rtp.Packet) (Frame, bool) {
	if a.started && p.SequenceNumber != a.seq+1 {
		if int16(p.SequenceNumber-a.seq) <= 0 {
			return Frame{}, false // duplicate or late: already past it
		}
		a.broken = true
		a.h264 = codecs.H264Packet{}
	}
	a.started, a.seq = true, p.SequenceNumber
	var payload []byte
	var err error
	switch a.codec {
	case "vp8":
		payload, err = a.vp8.Unmarshal(p.Payload)
		if err == nil && a.vp8.S == 1 && a.vp8.PID == 0 && len(a.frame) > 0 {
			a.frame, a.broken = a.frame[:0], true // the previous frame lost its end
		}
	default:
		payload, err = a.h264.Unmarshal(p.Payload)
	}
	if err != nil {
		a.broken = true
	} else if len(a.frame)+len(payload) > maxFrameBytes {
		a.broken = true
		a.frame = a.frame[:0]
	} else {
		a.frame = append(a.frame, payload...)
	}
	if !p.Marker {
		return Frame{}, false
	}
	f := Frame{Codec: a.codec, Data: a.frame, Key: isKey(a.codec, a.frame), Timestamp: p.Timestamp}
	broken := a.broken
	a.frame, a.broken = a.frame[:0], false
	if broken || len(f.Data) == 0 {
		a.needKey, a.wantKey = true, true
		return Frame{}, false
	}
	if a.needKey && !f.Key {
		a.wantKey = true
		return Frame{}, false
	}
	a.needKey = false
	return f, true
}

// isKey reports whether an access unit is an intra frame: for VP8 the frame tag's
// inverted key-frame bit, for H.264 an IDR or SPS NAL unit in the Annex-B stream.
func isKey(codec string, au []byte) bool {
	if codec == "vp8" {
		return len(au) > 0 && au[0]&1 == 0
	}
	for i := 0; i+3 < len(au); i++ {
		if au[i] == 0 && au[i+1] == 0 && au[i+2] == 1 {
			switch au[i+3] & 0x1f {
			case 5, 7:
				return true
			}
			i += 2
		}
	}
	return false
}

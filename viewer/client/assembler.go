package client

import (
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
)

// assembler joins RTP payloads into access units. A frame ends on the marker
// bit; a packet with another timestamp, or a timeout (expire), ends an
// incomplete one as lost.
type assembler struct {
	codec   string
	frame   []byte
	inFrame bool   // packets of a frame without its last one yet
	ts      uint32 // the frame's RTP timestamp
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
	gap := !a.started // before the first packet, anything may have been missed
	if a.started {
		d := int16(p.SequenceNumber - a.seq)
		if d <= 0 {
			return Frame{}, false // duplicate or late: already past it
		}
		gap = d > 1
	}
	a.started, a.seq = true, p.SequenceNumber
	if a.inFrame && p.Timestamp != a.ts {
		a.expire() // a new frame began before the last one ended
	}
	first := !a.inFrame
	if first {
		a.inFrame, a.ts, a.broken = true, p.Timestamp, false
		a.frame = a.frame[:0]
		a.h264 = codecs.H264Packet{}
	}
	// Lost packets may have held this frame's beginning, or its middle.
	a.broken = a.broken || gap

	var payload []byte
	var err error
	switch a.codec {
	case "vp8":
		payload, err = a.vp8.Unmarshal(p.Payload)
		if err == nil && first && gap && a.vp8.S == 1 && a.vp8.PID == 0 {
			a.broken = false // the lost packets ended the previous frame, not this one
		}
	default:
		if first && gap && startsWithSPS(p.Payload) {
			a.broken = false // an IDR access unit begins here: nothing of it was lost
		}
		payload, err = a.h264.Unmarshal(p.Payload)
	}
	if err != nil || len(a.frame)+len(payload) > maxFrameBytes {
		a.broken = true
		a.frame = a.frame[:0]
	} else if !a.broken {
		a.frame = append(a.frame, payload...)
	}
	if !p.Marker {
		return Frame{}, false
	}
	a.inFrame = false
	if a.broken || len(a.frame) == 0 {
		a.needKey, a.wantKey = true, true
		return Frame{}, false
	}
	f := Frame{Codec: a.codec, Data: a.frame, Key: isKey(a.codec, a.frame), Timestamp: p.Timestamp}
	if a.needKey && !f.Key {
		a.wantKey = true
		return Frame{}, false
	}
	a.needKey = false
	return f, true
}

// expire gives up on an incomplete frame: its missing packets are lost.
func (a *assembler) expire() {
	if !a.inFrame {
		return
	}
	a.inFrame = false
	a.frame = a.frame[:0]
	a.needKey, a.wantKey = true, true
}

// startsWithSPS reports whether an H.264 RTP payload begins with a sequence
// parameter set, alone or first in a STAP-A: the first packet of a keyframe.
// (Other frames have no mark of their beginning.)
func startsWithSPS(payload []byte) bool {
	const sps, stapA = 7, 24
	switch {
	case len(payload) > 0 && payload[0]&0x1f == sps:
		return true
	case len(payload) > 3 && payload[0]&0x1f == stapA:
		return payload[3]&0x1f == sps // after the STAP-A header and a 2-byte size
	}
	return false
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

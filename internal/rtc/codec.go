package rtc

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/webrtc/v4"
)

// ErrUnknownCodec is returned for a codec name other than "h264" or "vp8".
var ErrUnknownCodec = errors.New("unknown codec")

// videoFeedback is the RTCP feedback both sides accept: keyframe requests. Plain
// NACK (retransmission) is added by the sender only, for receivers that keep a
// jitter buffer (browsers); dreamview has none and asks for a keyframe instead.
var videoFeedback = []webrtc.RTCPFeedback{
	{Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"},
}

// Codecs are the video codecs a tile may be sent in, by the names used in flags
// and in GET /tiles.
var Codecs = map[string]webrtc.RTPCodecParameters{
	// Constrained Baseline at level 4.2: 1920x1080 at 60 frames a second, the
	// default tile. (Peers match H.264 formats on the profile, not the level.)
	"h264": {
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType:     webrtc.MimeTypeH264,
			ClockRate:    90000,
			SDPFmtpLine:  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e02a",
			RTCPFeedback: videoFeedback,
		},
		PayloadType: 102,
	},
	"vp8": {
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType:     webrtc.MimeTypeVP8,
			ClockRate:    90000,
			RTCPFeedback: videoFeedback,
		},
		PayloadType: 96,
	},
}

// CodecName maps a negotiated MIME type back to a codec name.
func CodecName(mime string) (string, error) {
	for name, c := range Codecs {
		if strings.EqualFold(c.MimeType, mime) {
			return name, nil
		}
	}
	return "", fmt.Errorf("codec %q: %w", mime, ErrUnknownCodec)
}

// ReportInterval is how often each side sends its RTCP report.
const ReportInterval = 5 * time.Second

// Role is the side of a video stream an API is for.
type Role int

const (
	Sender   Role = iota // dreamcomp: answers retransmission requests (NACK)
	Receiver             // dreamview: asks for lost packets again (its own NACKs), PLI when that fails
)

// NewAPI registers the named codecs with the feedback (NACK, PLI) and the
// interceptors of role (RTCP reports, and answering NACKs for a sender: a
// receiver sends its own, viewer/client) and returns an API whose peer
// connections use settings.
func NewAPI(role Role, settings webrtc.SettingEngine, codecs ...string) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	for _, name := range codecs {
		c, ok := Codecs[name]
		if !ok {
			return nil, fmt.Errorf("codec %q (want h264 or vp8): %w", name, ErrUnknownCodec)
		}
		c.RTCPFeedback = append([]webrtc.RTCPFeedback{{Type: "nack"}}, c.RTCPFeedback...)
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeVideo); err != nil {
			return nil, fmt.Errorf("register %s: %w", name, err)
		}
	}
	r := &interceptor.Registry{}
	if role == Sender {
		// It answers NACKs from its history of sent packets. (Not
		// webrtc.ConfigureNack: that adds a NACK generator too, whose 100 ms
		// ticker would wake the server ten times a second per viewer for
		// streams it never receives.)
		responder, err := nack.NewResponderInterceptor()
		if err != nil {
			return nil, err
		}
		r.Add(responder)
	}
	// RTCP reports every ReportInterval, RFC 3550's nominal minimum: the
	// desktop's clock goes in a message of its own, loss is mended by NACK,
	// and a still desktop sends almost nothing else.
	sr, err := report.NewSenderInterceptor(report.SenderInterval(ReportInterval))
	if err != nil {
		return nil, err
	}
	rr, err := report.NewReceiverInterceptor(report.ReceiverInterval(ReportInterval))
	if err != nil {
		return nil, err
	}
	r.Add(sr)
	r.Add(rr)
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(settings),
		webrtc.WithInterceptorRegistry(r)), nil
}

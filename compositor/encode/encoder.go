package encode

import (
	"errors"
	"fmt"

	"dream/internal/yuv"
)

// Encoder turns pictures into one access unit each.
type Encoder interface {
	// Encode encodes pic; keyframe forces an intra frame. The returned Frame's
	// Data is valid until the next call.
	Encode(pic *yuv.I420, keyframe bool) (Frame, error)
	Close() error
}

// Frame is one encoded access unit.
type Frame struct {
	Data []byte // H.264: Annex-B NAL units; VP8: one frame
	Key  bool   // an intra frame a decoder can start from (H.264 IDR)
}

// ErrUnknownCodec is returned by New for a codec name it does not know.
var ErrUnknownCodec = errors.New("unknown codec")

// Codec names.
const (
	CodecH264 = "h264"
	CodecVP8  = "vp8"
)

// New returns an encoder for cfg.Codec: "h264" (the default) or "vp8".
func New(cfg Config) (Encoder, error) {
	switch cfg.Codec {
	case "", CodecH264:
		return NewH264(cfg)
	case CodecVP8:
		return NewVP8(cfg)
	}
	return nil, fmt.Errorf("encode: codec %q for %dx%d: %w (use %q or %q)",
		cfg.Codec, cfg.Width, cfg.Height, ErrUnknownCodec, CodecH264, CodecVP8)
}

package decode

import (
	"errors"
	"fmt"

	"dream/internal/yuv"
)

// Decoder turns access units into pictures.
type Decoder interface {
	// Decode decodes one access unit. It returns nil, nil when the unit gave no picture yet.
	// The picture's planes belong to the decoder and are valid until the next call.
	Decode(au []byte) (*yuv.I420, error)
	Close() error
}

var (
	// ErrUnknownCodec is returned by New for a codec name it does not know.
	ErrUnknownCodec = errors.New("unknown codec")
	// ErrCorrupt is wrapped by Decode errors caused by the input: a damaged or
	// missing access unit. Ask the sender for a keyframe.
	ErrCorrupt = errors.New("corrupt or incomplete stream")
	// ErrClosed is returned by Decode after Close.
	ErrClosed = errors.New("decoder closed")
)

// Codec names.
const (
	CodecH264 = "h264"
	CodecVP8  = "vp8"
)

// maxPixels bounds the picture size a stream may announce (8K), so that a
// corrupt header cannot make the decoder allocate gigabytes.
const maxPixels = 7680 * 4320

// New returns a decoder for codec: "h264" or "vp8".
func New(codec string) (Decoder, error) {
	switch codec {
	case CodecH264:
		return NewH264()
	case CodecVP8:
		return NewVP8()
	}
	return nil, fmt.Errorf("decode: codec %q: %w (use %q or %q)", codec, ErrUnknownCodec, CodecH264, CodecVP8)
}

// wrap points pic at a decoder's planes of w×h samples without copying.
func wrap(pic *yuv.I420, w, h int, y, u, v *byte, ystride, cstride int) *yuv.I420 {
	cw, ch := (w+1)/2, (h+1)/2
	*pic = yuv.I420{
		Width: w, Height: h,
		Y:       unsafeSlice(y, ystride*(h-1)+w),
		U:       unsafeSlice(u, cstride*(ch-1)+cw),
		V:       unsafeSlice(v, cstride*(ch-1)+cw),
		YStride: ystride, CStride: cstride,
	}
	return pic
}

//go:build !cgo

package encode

import (
	"errors"
	"fmt"

	"dream/internal/yuv"
)

// ErrNoCgo is returned by the constructors in a build without cgo.
var ErrNoCgo = errors.New("encoders need cgo with libvpx and libopenh264: build with CGO_ENABLED=1 and install libvpx-dev and libopenh264-dev")

// VP8 is unavailable without cgo.
type VP8 struct{}

// H264 is unavailable without cgo.
type H264 struct{}

var (
	_ Encoder = (*VP8)(nil)
	_ Encoder = (*H264)(nil)
)

// NewVP8 returns ErrNoCgo.
func NewVP8(cfg Config) (*VP8, error) {
	return nil, fmt.Errorf("encode: vp8 %dx%d: %w", cfg.Width, cfg.Height, ErrNoCgo)
}

// NewH264 returns ErrNoCgo.
func NewH264(cfg Config) (*H264, error) {
	return nil, fmt.Errorf("encode: h264 %dx%d: %w", cfg.Width, cfg.Height, ErrNoCgo)
}

// Encode returns ErrNoCgo.
func (*VP8) Encode(*yuv.I420, bool) (Frame, error) { return Frame{}, ErrNoCgo }

// Close does nothing.
func (*VP8) Close() error { return nil }

// Encode returns ErrNoCgo.
func (*H264) Encode(*yuv.I420, bool) (Frame, error) { return Frame{}, ErrNoCgo }

// Close does nothing.
func (*H264) Close() error { return nil }

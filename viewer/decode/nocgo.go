//go:build !cgo

package decode

import (
	"errors"
	"fmt"

	"dream/internal/yuv"
)

// ErrNoCgo is returned by the constructors in a build without cgo.
var ErrNoCgo = errors.New("decoders need cgo with libvpx and libopenh264: build with CGO_ENABLED=1 and install libvpx-dev and libopenh264-dev")

// VP8 is unavailable without cgo.
type VP8 struct{}

// H264 is unavailable without cgo.
type H264 struct{}

var (
	_ Decoder = (*VP8)(nil)
	_ Decoder = (*H264)(nil)
)

// NewVP8 returns ErrNoCgo.
func NewVP8() (*VP8, error) { return nil, fmt.Errorf("decode: vp8: %w", ErrNoCgo) }

// NewH264 returns ErrNoCgo.
func NewH264() (*H264, error) { return nil, fmt.Errorf("decode: h264: %w", ErrNoCgo) }

// Decode returns ErrNoCgo.
func (*VP8) Decode([]byte) (*yuv.I420, error) { return nil, ErrNoCgo }

// Close does nothing.
func (*VP8) Close() error { return nil }

// Decode returns ErrNoCgo.
func (*H264) Decode([]byte) (*yuv.I420, error) { return nil, ErrNoCgo }

// Close does nothing.
func (*H264) Close() error { return nil }

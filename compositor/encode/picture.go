package encode

import (
	"errors"
	"fmt"

	"dream/internal/yuv"
)

// ErrClosed is returned by Encode after Close.
var ErrClosed = errors.New("encoder closed")

// checkPicture reports why pic cannot be given to an encoder made for cfg.
func checkPicture(cfg Config, pic *yuv.I420, open bool) error {
	if !open {
		return fmt.Errorf("encode: %s %dx%d: %w", cfg.Codec, cfg.Width, cfg.Height, ErrClosed)
	}
	if pic.Width != cfg.Width || pic.Height != cfg.Height {
		return fmt.Errorf("encode: %s: picture is %dx%d but the encoder was made for %dx%d (make a new encoder when the size changes)",
			cfg.Codec, pic.Width, pic.Height, cfg.Width, cfg.Height)
	}
	if err := pic.Validate(); err != nil {
		return fmt.Errorf("encode: %s: %w", cfg.Codec, err)
	}
	return nil
}

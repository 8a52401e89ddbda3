package encode

import (
	"fmt"
	"runtime"
)

// Config describes an encoder. Only Width and Height have no default.
type Config struct {
	Codec         string // "h264" (default when empty) or "vp8"
	Width, Height int    // picture size in pixels
	FPS           int    // frame rate the rate control plans for; 0 means 30
	BitrateKbps   int    // target bitrate; 0 scales 6000 kbps at 1920x1080 by area
	Threads       int    // encoder threads; 0 means the number of CPUs, at most 4
}

// Defaults for the zero fields of Config.
const (
	defaultFPS       = 30
	defaultKbps1080p = 6000
	minDefaultKbps   = 300
	maxDefaultThread = 4
)

// withDefaults checks c and fills in its zero fields. codec names the
// encoder in errors.
func (c Config) withDefaults(codec string) (Config, error) {
	if c.Width <= 0 || c.Height <= 0 {
		return c, fmt.Errorf("encode: %s: picture size %dx%d is empty (set Config.Width and Config.Height)", codec, c.Width, c.Height)
	}
	if c.FPS < 0 || c.BitrateKbps < 0 || c.Threads < 0 {
		return c, fmt.Errorf("encode: %s %dx%d: negative FPS %d, bitrate %d kbps or threads %d (use 0 for the default)",
			codec, c.Width, c.Height, c.FPS, c.BitrateKbps, c.Threads)
	}
	if c.FPS == 0 {
		c.FPS = defaultFPS
	}
	if c.BitrateKbps == 0 {
		c.BitrateKbps = max(minDefaultKbps, int(int64(defaultKbps1080p)*int64(c.Width)*int64(c.Height)/(1920*1080)))
	}
	if c.Threads == 0 {
		c.Threads = min(runtime.NumCPU(), maxDefaultThread)
	}
	return c, nil
}

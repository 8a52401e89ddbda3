package encode

import (
	"fmt"
	"runtime"
	"time"
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

// clock turns wall time into encoder timestamps in milliseconds. Frames come
// only when the screen changes, so rate control must budget each frame by the
// time it stands for, not by a fixed frame rate: a change after a quiet second
// may spend what that second saved.
type clock struct {
	start time.Time
	last  int64 // timestamp of the previous frame
}

// maxFrameMs bounds the time one frame stands for (the encoders' buffer model is
// a second long).
const maxFrameMs = 1000

// tick returns the timestamp of a frame encoded now and the time it stands for:
// since the previous frame, at least one frame interval (1/fps) and at most
// maxFrameMs. Timestamps advance by at least that interval.
func (c *clock) tick(fps int) (ms, dur int64) {
	now := time.Now()
	interval := max(int64(1000/fps), 1)
	if c.start.IsZero() {
		c.start = now
		c.last = -interval
	}
	ms = max(now.Sub(c.start).Milliseconds(), c.last+interval)
	dur = min(ms-c.last, maxFrameMs)
	c.last = ms
	return ms, dur
}

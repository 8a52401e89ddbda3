package bench

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"dream/internal/testpattern"
	"dream/viewer/client"
)

// LoadConfig configures the idle and viewers scenarios.
type LoadConfig struct {
	Codec    string
	Viewers  int           // of tile 1; 0 means 1
	Scroll   bool          // the tile scrolls at 60 steps a second; otherwise it is still (idle)
	Duration time.Duration // measured; 0 means 10 s
	Link     Link
	// Packets: the bench has a network namespace of its own, so loopback's
	// packet counter counts only this scenario's traffic.
	Packets   bool
	Dreamcomp string
}

// LoadResult is what dreamcomp spent serving the viewers, and what they got.
type LoadResult struct {
	Codec    string
	Viewers  int
	Scroll   bool
	Duration time.Duration
	Server   Usage
	Bytes    uint64  // encoded video sent (once for all viewers)
	Received []int64 // frames each viewer received
	Packets  int64   // loopback carried, both ways; -1 when not counted
}

// Load runs a 1920x1080 tile watched by cfg.Viewers viewers (which receive
// and reassemble frames but do not decode: many viewers are many laptops, not
// this machine's cores), still or scrolling, and measures dreamcomp.
func Load(ctx context.Context, cfg LoadConfig) (LoadResult, error) {
	if cfg.Viewers <= 0 {
		cfg.Viewers = 1
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	res := LoadResult{Codec: cfg.Codec, Viewers: cfg.Viewers, Scroll: cfg.Scroll}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d, err := startDreamcomp(ctx, cfg.Dreamcomp, cfg.Link, "--tile-size", fmt.Sprintf("%dx%d", width, height),
		"--codec", cfg.Codec, "--max-viewers", fmt.Sprint(max(16, cfg.Viewers)))
	if err != nil {
		return res, err
	}
	defer d.stop()
	pat, err := testpattern.Start(d.display, 1)
	if err != nil {
		return res, err
	}
	defer pat.Close()
	counts := make([]atomic.Int64, cfg.Viewers)
	for i := range counts {
		sess, err := client.Dial(ctx, d.client(1))
		if err != nil {
			return res, fmt.Errorf("viewer %d: %w", i+1, err)
		}
		defer sess.Close()
		done := make(chan struct{})
		go func() {
			defer close(done)
			sess.Frames(ctx, func(client.Frame) error { counts[i].Add(1); return nil })
		}()
		defer func() { cancel(); <-done }()
	}
	// Everyone connected, first keyframes through (a viewer asks again for a
	// keyframe until its first one comes), then a moment for stragglers.
	for i := range counts {
		for deadline := time.Now().Add(10 * time.Second); counts[i].Load() == 0; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				return res, fmt.Errorf("viewer %d: no frame within 10 s", i+1)
			}
		}
	}
	// Then until nothing comes for half a second: a keyframe asked for again
	// while the first was on its way is no still desktop's.
	for last, since := int64(-1), time.Now(); time.Since(since) < 500*time.Millisecond; time.Sleep(20 * time.Millisecond) {
		var n int64
		for i := range counts {
			n += counts[i].Load()
		}
		if n != last {
			last, since = n, time.Now()
		}
	}
	before, err := d.usage(ctx)
	if err != nil {
		return res, err
	}
	bytesBefore, err := tileBytes(ctx, d)
	if err != nil {
		return res, err
	}
	packets, err := loopbackPackets(cfg.Packets)
	if err != nil {
		return res, err
	}
	got := make([]int64, len(counts))
	for i := range counts {
		got[i] = counts[i].Load()
	}
	start := time.Now()
	tick := time.NewTicker(time.Second / 60)
	for step := 1; time.Since(start) < cfg.Duration; step++ {
		if cfg.Scroll {
			if err := pat.Scroll(pat.Tile(1), 8*step); err != nil {
				tick.Stop()
				return res, err
			}
		}
		<-tick.C
	}
	tick.Stop()
	res.Duration = time.Since(start)
	after, err := d.usage(ctx)
	if err != nil {
		return res, err
	}
	bytesAfter, err := tileBytes(ctx, d)
	if err != nil {
		return res, err
	}
	res.Server = Usage{CPU: after.CPU - before.CPU, PeakKB: after.PeakKB, Frames: after.Frames - before.Frames, Wakeups: after.Wakeups - before.Wakeups}
	res.Bytes = bytesAfter - bytesBefore
	if res.Packets, err = loopbackPackets(cfg.Packets); err != nil {
		return res, err
	}
	res.Packets -= packets
	for i := range counts {
		res.Received = append(res.Received, counts[i].Load()-got[i])
	}
	return res, nil
}

func tileBytes(ctx context.Context, d *dreamcomp) (uint64, error) {
	tiles, err := client.Tiles(ctx, d.client(1))
	if err != nil {
		return 0, err
	}
	var b uint64
	for _, t := range tiles {
		b += t.Bytes
	}
	return b, nil
}

// loopbackPackets reads loopback's packet counter if count, else -1.
func loopbackPackets(count bool) (int64, error) {
	if !count {
		return -1, nil
	}
	n, err := LoopbackPackets()
	return int64(n), err
}

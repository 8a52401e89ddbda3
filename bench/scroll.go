package bench

import (
	"context"
	"fmt"
	"time"

	"dream/internal/testpattern"
	"dream/viewer/client"
)

// ScrollConfig configures the scrolling scenario.
type ScrollConfig struct {
	Codec     string
	Tiles     int           // tiles side by side, each watched by a viewer; every one scrolls
	Moving    int           // how many of them scroll (from the left); 0 means all
	VideoOnly bool          // dreamcomp --patches=false: everything as video
	Duration  time.Duration // measured; 0 means 10 s
	Rate      int           // scroll steps a second; 0 means 60
	Link      Link
	Dreamcomp string
}

// TileRate is what one tile delivered.
type TileRate struct {
	Tile    int
	FPS     float64 // video frames decoded by its viewer, a second (VNC: RFB updates)
	UPS     float64 // updates its viewer showed, a second: video frames and patches (VNC: RFB updates)
	Mbps    float64 // sent, video and patches, Mbit/s
	Sent    uint64  // video frames dreamcomp sent
	Decoded uint64  // video frames its viewer decoded
	Dropped uint64  // sent but never decoded
	// MinUPS is the fewest updates shown in any whole second (dream: video
	// frames and patches); PerSecond, those of each second.
	MinUPS    float64
	PerSecond []float64
	// Loss is what the viewer lost of the video and did about it (dream).
	Loss client.LossStats
}

// ScrollResult is what the scrolling scenario measured.
type ScrollResult struct {
	Codec  string
	Tiles  []TileRate
	Server Usage
}

// Scroll runs the scrolling scenario: 1920x1080 tiles showing the test
// pattern (columns of text-like glyphs), the first Moving of them scrolling by
// 8 rows at Rate steps a second, each tile watched by a viewer that decodes
// everything it receives.
func Scroll(ctx context.Context, cfg ScrollConfig) (ScrollResult, error) {
	res := ScrollResult{Codec: cfg.Codec}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d, err := startDreamcomp(ctx, cfg.Dreamcomp, cfg.Link, "--tile-size", fmt.Sprintf("%dx%d", width, height),
		"--span", fmt.Sprint(cfg.Tiles), "--codec", cfg.Codec, fmt.Sprintf("--patches=%t", !cfg.VideoOnly))
	if err != nil {
		return res, err
	}
	defer d.stop()
	pat, err := testpattern.Start(d.display, cfg.Tiles)
	if err != nil {
		return res, err
	}
	defer pat.Close()

	views := make([]*view, cfg.Tiles)
	for i := range views {
		v, err := openView(ctx, d.client(i+1), nil)
		if err != nil {
			return res, err
		}
		defer v.close()
		views[i] = v
	}
	for i, v := range views { // connections up, first pictures whole
		if err := v.settled(ctx, 10*time.Second); err != nil {
			return res, fmt.Errorf("tile %d: %w", i+1, err)
		}
	}

	before, err := d.usage(ctx)
	if err != nil {
		return res, err
	}
	tilesBefore, err := client.Tiles(ctx, d.client(1))
	if err != nil {
		return res, err
	}
	decodedBefore, shownBefore := make([]uint64, cfg.Tiles), make([]uint64, cfg.Tiles)
	for i, v := range views {
		decodedBefore[i], shownBefore[i] = v.player.Stats().Frames, v.pic.Stats().Updates
	}
	// The frames decoded in each whole second.
	perSecond := make([][]uint64, cfg.Tiles)
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for range int(cfg.Duration / time.Second) {
			<-tick.C
			for i, v := range views {
				perSecond[i] = append(perSecond[i], v.pic.Stats().Updates)
			}
		}
	}()
	elapsed, err := scroll(pat, cfg)
	<-sampled
	if err != nil {
		return res, err
	}
	after, err := d.usage(ctx)
	if err != nil {
		return res, err
	}
	tilesAfter, err := client.Tiles(ctx, d.client(1))
	if err != nil {
		return res, err
	}
	res.Server = Usage{CPU: after.CPU - before.CPU, PeakKB: after.PeakKB, Frames: after.Frames - before.Frames}
	for i, v := range views {
		sent := tilesAfter[i].Frames - tilesBefore[i].Frames
		decoded := v.player.Stats().Frames - decodedBefore[i]
		shown := v.pic.Stats().Updates - shownBefore[i]
		bytes := tilesAfter[i].Bytes + tilesAfter[i].PatchBytes - tilesBefore[i].Bytes - tilesBefore[i].PatchBytes
		tr := TileRate{Tile: i + 1, Sent: sent, Decoded: decoded,
			FPS:  float64(decoded) / elapsed.Seconds(),
			UPS:  float64(shown) / elapsed.Seconds(),
			Mbps: float64(bytes) * 8 / elapsed.Seconds() / 1e6}
		if sent > decoded {
			tr.Dropped = sent - decoded
		}
		prev := shownBefore[i]
		for j, n := range perSecond[i] {
			ups := float64(n - prev)
			if j == 0 || ups < tr.MinUPS {
				tr.MinUPS = ups
			}
			tr.PerSecond = append(tr.PerSecond, ups)
			prev = n
		}
		tr.Loss = v.sess.Loss()
		res.Tiles = append(res.Tiles, tr)
	}
	return res, nil
}

func (cfg ScrollConfig) withDefaults() ScrollConfig {
	if cfg.Tiles < 1 {
		cfg.Tiles = 1
	}
	if cfg.Moving <= 0 || cfg.Moving > cfg.Tiles {
		cfg.Moving = cfg.Tiles
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 60
	}
	return cfg
}

// scroll scrolls the first cfg.Moving tiles of pat for cfg.Duration, and
// waits a little for the last frames to arrive.
func scroll(pat *testpattern.Pattern, cfg ScrollConfig) (time.Duration, error) {
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(cfg.Rate))
	defer tick.Stop()
	for step := 1; time.Since(start) < cfg.Duration; step++ {
		for n := 1; n <= cfg.Moving; n++ {
			if err := pat.Scroll(pat.Tile(n), 8*step); err != nil {
				return 0, err
			}
		}
		<-tick.C
	}
	elapsed := time.Since(start)
	time.Sleep(300 * time.Millisecond)
	return elapsed, nil
}

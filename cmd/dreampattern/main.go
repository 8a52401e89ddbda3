// Command dreampattern shows dream's test pattern on an X display: one
// distinct, numbered column per tile, for end-to-end tests and the demo.
//
//	dreampattern [--display :N] [--tiles N] [--animate]
//
// With --animate a small square moves inside each tile a few times per
// second, so a viewer shows motion. It runs until interrupted.
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"os/signal"
	"syscall"
	"time"

	"dream/internal/testpattern"
)

func main() {
	display := flag.String("display", "", "X display to draw on (default $DISPLAY)")
	tiles := flag.Int("tiles", 1, "number of equal-width columns, one per tile")
	animate := flag.Bool("animate", false, "move a small square inside each tile")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *display, *tiles, *animate); err != nil {
		fmt.Fprintln(os.Stderr, "dreampattern:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, display string, tiles int, animate bool) error {
	p, err := testpattern.Start(display, tiles)
	if err != nil {
		return err
	}
	defer p.Close()
	if !animate {
		<-ctx.Done()
		return nil
	}

	const side = 48
	yellow := color.RGBA{255, 220, 0, 255}
	prev := make([]image.Rectangle, tiles)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for step := 0; ; step++ {
		for n := 1; n <= tiles; n++ {
			t := p.Tile(n)
			// A Lissajous path through the tile, phase-shifted per tile.
			a := float64(step)*0.15 + float64(n)
			cx := t.Min.X + int(float64(t.Dx()-side)*(0.5+0.4*math.Sin(a)))
			cy := t.Min.Y + int(float64(t.Dy()-side)*(0.5+0.4*math.Sin(1.7*a)))
			sq := image.Rect(cx, cy, cx+side, cy+side)
			if err := p.Restore(prev[n-1]); err != nil {
				return err
			}
			if err := p.Fill(sq, yellow); err != nil {
				return err
			}
			prev[n-1] = sq
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

package bench

import (
	"context"
	"image"
	"image/color"
	"net/http/httptest"
	"testing"
	"time"

	"dream/compositor"
	"dream/internal/testpattern"
	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
	"dream/viewer/client"
)

// BenchmarkChangeToPicture measures the whole pipeline on one 1920x1080 tile: from
// an X client's drawing (a 32x32 box changing colour, returned once the X server
// has drawn it) to the viewer's picture showing it. ms/change is that latency:
// damage, grab, and a patch over the patch channel (or convert, encode, RTP,
// reassembly and decode for the video) on loopback WebRTC.
func BenchmarkChangeToPicture(b *testing.B) {
	for _, codec := range []string{"h264", "vp8"} {
		b.Run(codec, func(b *testing.B) { benchChange(b, codec) })
	}
}

func benchChange(b *testing.B, codec string) {
	x := xvfbtest.StartForTest(b, xvfb.Config{Width: width, Height: height})
	pat, err := testpattern.Start(x.Display(), 1)
	if err != nil {
		b.Fatal(err)
	}
	defer pat.Close()
	comp, err := compositor.New(compositor.Config{Display: x.Display(), Codec: codec, LoopbackOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer comp.Close()
	srv := httptest.NewServer(comp.Handler())
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go comp.Run(ctx) // comp.Close stops it and waits

	box := image.Rect(800, 500, 832, 532)
	w := &watcher{at: image.Pt(816, 516), seen: make(chan struct{}, 1)}
	v, err := openView(ctx, client.Config{URL: srv.URL, Tile: 1}, w.changed)
	if err != nil {
		b.Fatal(err)
	}
	defer v.close()

	colours := []color.RGBA{typingColours[1], typingColours[2]}
	show := func(i int) time.Duration {
		c := colours[i%2]
		w.await(c)
		start := time.Now()
		if err := pat.Fill(box, c); err != nil {
			b.Fatal(err)
		}
		select {
		case <-w.seen:
			return time.Since(start)
		case <-time.After(10 * time.Second):
			b.Fatalf("change %d never reached the viewer", i)
			return 0
		}
	}
	show(0) // the first picture: connection and keyframe
	var total time.Duration
	i := 1
	for b.Loop() {
		total += show(i)
		i++
		time.Sleep(20 * time.Millisecond) // let the encoder's frame interval pass: a user types, not floods
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(i-1), "ms/change")
}

package bench

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"net/http/httptest"
	"strings"
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

// desktop runs a 1920x1080 Xvfb showing the test pattern, and a compositor
// of it in codec serving on loopback, for b; it returns the pattern, the
// compositor and its URL.
func desktop(b *testing.B, codec string) (*testpattern.Pattern, *compositor.Compositor, string) {
	x := xvfbtest.StartForTest(b, xvfb.Config{Width: width, Height: height})
	pat, err := testpattern.Start(x.Display(), 1)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { pat.Close() })
	comp, err := compositor.New(compositor.Config{Display: x.Display(), Codec: codec, LoopbackOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(comp.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	go comp.Run(ctx) // comp.Close stops it and waits
	b.Cleanup(func() { cancel(); srv.Close(); comp.Close() })
	return pat, comp, srv.URL
}

func benchChange(b *testing.B, codec string) {
	pat, _, url := desktop(b, codec)
	ctx := context.Background()

	box := image.Rect(800, 500, 832, 532)
	w := &watcher{at: image.Pt(816, 516), seen: make(chan struct{}, 1)}
	v, err := openView(ctx, client.Config{URL: url, Tile: 1}, w.changed)
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

// BenchmarkPatchLane measures the output side of the typing scenario in one
// process: from the X server having drawn one of the typing pictures (a
// 400x400 square of flat colour, text or a photo, or a glyph) to the
// viewer's picture showing it, over the patch lane.
func BenchmarkPatchLane(b *testing.B) {
	for _, sc := range []struct {
		area    Area
		content Content
	}{{Square, Flat}, {Square, Text}, {Square, Photo}, {Glyph, Text}, {Screen, Text}} {
		b.Run(fmt.Sprintf("%s/%s", strings.ReplaceAll(string(sc.area), " ", "_"), sc.content), func(b *testing.B) {
			benchPatchLane(b, sc.area, sc.content)
		})
	}
}

func benchPatchLane(b *testing.B, kind Area, content Content) {
	pat, comp, url := desktop(b, "")
	ctx := context.Background()
	area := TypingConfig{Area: kind}.area(pat)
	imgs, err := contentPictures(content, area)
	if kind == Glyph {
		imgs, err = glyphPictures(area)
	}
	if err != nil {
		b.Fatal(err)
	}
	var pics []testpattern.Picture
	for _, img := range imgs {
		pic, err := pat.Upload(img)
		if err != nil {
			b.Fatal(err)
		}
		pics = append(pics, pic)
	}
	w := &watcher{at: centre(), seen: make(chan struct{}, 1)}
	v, err := openView(ctx, client.Config{URL: url, Tile: 1}, w.changed)
	if err != nil {
		b.Fatal(err)
	}
	defer v.close()
	if err := v.settled(ctx, 10*time.Second); err != nil {
		b.Fatal(err)
	}
	show := func(i int) time.Duration {
		k := i % len(pics)
		w.await(typingColours[k])
		start := time.Now()
		if err := pat.Show(pics[k], area.Min); err != nil {
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
	show(1)
	var total time.Duration
	i := 2
	before := comp.Stats()[0]
	for b.Loop() {
		total += show(i)
		i++
		time.Sleep(30 * time.Millisecond) // a typist's pace
	}
	after := comp.Stats()[0]
	n := float64(i - 2)
	b.ReportMetric(float64(total.Microseconds())/1000/n, "ms/change")
	b.ReportMetric(float64(after.PatchBytes+after.Bytes-before.PatchBytes-before.Bytes)/n, "bytes/change")
	b.ReportMetric(float64(after.Frames-before.Frames)/n, "frames/change")
}

package stream

import (
	"context"
	"encoding/json"
	"image"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dream/viewer/client"
)

// TestBadRequests sends the server what a confused or hostile client might, and
// checks each gets a clear answer while a connected viewer keeps receiving frames.
func TestBadRequests(t *testing.T) {
	tiles := []*Tile{mustTile(t, 1, "vp8"), mustTile(t, 2, "vp8")}
	s, url := serve(t, Config{LoopbackOnly: true}, tiles...)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A source of frames for tile 1: a VP8 keyframe tag, then filler.
	go func() {
		frame := append([]byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}, make([]byte, 3000)...)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				tiles[0].WriteFrame(Frame{Data: frame, Key: true, Captured: now})
			}
		}
	}()
	sess, err := client.Dial(ctx, client.Config{URL: url, Tile: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	var got atomic.Int64
	go sess.Frames(ctx, func(client.Frame) error { got.Add(1); return nil })
	waitFrames := func(what string) {
		t.Helper()
		start := got.Load()
		for deadline := time.Now().Add(5 * time.Second); got.Load() < start+5; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the viewer stopped receiving frames (%d so far)", what, got.Load())
			}
		}
	}
	waitFrames("first frames")

	tests := []struct {
		name, method, path, ctype, body string
		status                          int
		says                            string
	}{
		{"unknown tile", "POST", "/whep/3", "application/sdp", "v=0", 404, "1 to 2"},
		{"tile zero", "POST", "/whep/0", "application/sdp", "v=0", 404, "1 to 2"},
		{"tile not a number", "POST", "/whep/two", "application/sdp", "v=0", 404, "1 to 2"},
		{"malformed SDP", "POST", "/whep/1", "application/sdp", "this is not SDP", 400, "bad offer"},
		{"offer without video", "POST", "/whep/1", "application/sdp", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", 400, ""},
		{"body too big", "POST", "/whep/1", "application/sdp", strings.Repeat("a", MaxBodyBytes+1), 413, "larger"},
		{"not SDP", "POST", "/whep/1", "application/json", "{}", 415, "application/sdp"},
		{"trickle", "PATCH", "/whep/1/abc", "application/trickle-ice-sdpfrag", "a=x", 405, "trickle"},
		{"hang up nobody", "DELETE", "/whep/1/nobody", "", "", 404, "no such session"},
		{"wrong method", "PUT", "/whep/1", "application/sdp", "v=0", 405, ""},
		{"rebound name", "POST", "/whep/1", "application/sdp", "v=0", 403, "loopback addresses only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, url+tt.path, strings.NewReader(tt.body))
			if tt.name == "rebound name" {
				req.Host = "evil.example:8040" // a page whose name now resolves to 127.0.0.1
			}
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.says) {
				t.Errorf("%s %s = %d %q; want %d saying %q", tt.method, tt.path, resp.StatusCode, body, tt.status, tt.says)
			}
		})
	}
	waitFrames("after the bad requests")
	if n := tileViewers(tiles[0]); n != 1 {
		t.Errorf("tile 1 has %d viewers after the bad requests; want 1", n)
	}
	s.mu.Lock()
	n := len(s.sessions)
	s.mu.Unlock()
	if n != 1 {
		t.Errorf("server keeps %d sessions; want 1 (failed offers must not linger)", n)
	}

	// GET /tiles lists both tiles, tile 1 with its viewer.
	resp, err := http.Get(url + "/tiles")
	if err != nil {
		t.Fatal(err)
	}
	var list []TileStats
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(list) != 2 || list[0].Tile != 1 || list[0].Viewers != 1 || list[1].Tile != 2 || list[1].X != 100 || list[0].Codec != "vp8" {
		t.Errorf("GET /tiles = %+v; want tiles 1 and 2, tile 1 with one viewer, tile 2 at x=100", list)
	}

	// Hanging up removes the viewer.
	sess.Close()
	for deadline := time.Now().Add(5 * time.Second); tileViewers(tiles[0]) != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("tile 1 still has %d viewers after hang-up", tileViewers(tiles[0]))
		}
	}
}

func TestMaxViewers(t *testing.T) {
	_, url := serve(t, Config{LoopbackOnly: true, MaxViewers: 1}, mustTile(t, 1, "h264"))
	ctx := context.Background()
	first, err := client.Dial(ctx, client.Config{URL: url, Tile: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := client.Dial(ctx, client.Config{URL: url, Tile: 1})
	if err == nil {
		second.Close()
		t.Fatal("a second viewer got in past MaxViewers 1")
	}
	if !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "already has 1 viewers") {
		t.Errorf("second viewer error = %v; want 503 saying the tile is full", err)
	}
}

// serve runs a Server for tiles over HTTP on loopback for the test and returns
// the server and its URL.
func serve(t *testing.T, cfg Config, tiles ...*Tile) (*Server, string) {
	t.Helper()
	s, err := New(cfg, tiles)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(func() {
		srv.Close()
		s.Close()
	})
	return s, srv.URL
}

func mustTile(t *testing.T, n int, codec string) *Tile {
	t.Helper()
	tile, err := NewTile(n, image.Rect((n-1)*100, 0, n*100, 100), codec, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tile
}

// TestFrameTimestamps checks that RTP timestamps follow the capture times given
// to WriteFrame, however irregular.
func TestFrameTimestamps(t *testing.T) {
	tile := mustTile(t, 1, "vp8")
	_, url := serve(t, Config{LoopbackOnly: true}, tile)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sess, err := client.Dial(ctx, client.Config{URL: url, Tile: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	stamps := make(chan uint32, 16)
	go sess.Frames(ctx, func(f client.Frame) error { stamps <- f.Timestamp; return nil })
	for deadline := time.Now().Add(5 * time.Second); tileViewers(tile) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("viewer never connected")
		}
	}
	frame := append([]byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}, make([]byte, 2000)...)
	t0 := time.Now()
	offsets := []time.Duration{0, 50 * time.Millisecond, 1350 * time.Millisecond, 1351 * time.Millisecond}
	for _, off := range offsets {
		if err := tile.WriteFrame(Frame{Data: frame, Key: true, Captured: t0.Add(off)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []uint32
	for range offsets {
		select {
		case ts := <-stamps:
			got = append(got, ts)
		case <-time.After(5 * time.Second):
			t.Fatalf("received %d of %d frames", len(got), len(offsets))
		}
	}
	for i := 1; i < len(got); i++ {
		want := uint32((offsets[i] - offsets[i-1]) * 90 / time.Millisecond)
		if d := got[i] - got[i-1]; d != want {
			t.Errorf("frames %d→%d, %v apart: RTP timestamps %d apart; want %d", i-1, i, offsets[i]-offsets[i-1], d, want)
		}
	}
}

func tileViewers(t *Tile) int {
	return t.Viewers().All
}

package bench

import (
	"context"

	"image"
	"math"
	"testing"
	"time"

	"dream/internal/xvfb/xvfbtest"
)

// TestRFBDecodesWhatTheServerShows connects the bench's viewer to real VNC
// servers in each encoding while the screen shows a photo and a page of text,
// and compares its framebuffer with the X screen: Raw and ZRLE exactly but for
// the pointer (the servers draw it into the picture), Tight (JPEG for the
// photo) closely.
func TestRFBDecodesWhatTheServerShows(t *testing.T) {
	for _, peer := range []Peer{Peers[1], Peers[2]} { // x11vnc tuned, x0vncserver
		t.Run(peer.Name, func(t *testing.T) {
			s, err := startVNC(context.Background(), peer)
			if err != nil {
				t.Fatal(err)
			}
			defer s.stop()
			for _, content := range []Content{Photo, Text} {
				pics, err := contentPictures(content, image.Rect(0, 0, width, height/2))
				if err != nil {
					t.Fatal(err)
				}
				pic, err := s.pat.Upload(pics[1])
				if err != nil {
					t.Fatal(err)
				}
				if err := s.pat.Show(pic, image.Pt(0, height/2)); err != nil {
					t.Fatal(err)
				}
				want := xvfbtest.Screenshot(t, s.x.Display())
				for _, enc := range Encodings {
					c, err := dialRFB(s.addr, Unlimited, enc, centre())
					if err != nil {
						t.Fatal(err)
					}
					ok := func(diff int, db float64) bool { return diff <= cursorPixels }
					if enc == "tight" {
						ok = func(diff int, db float64) bool { return db >= 35 }
					}
					got, diff, db := waitFramebuffer(c, want, ok)
					c.close()
					t.Logf("%s, %s: %d pixels differ, %.1f dB, %d updates, %d bytes", content, enc, diff, db, got, c.bytes.Load())
					if !ok(diff, db) {
						t.Errorf("%s, %s: %d pixels differ from the screen (%.1f dB)", content, enc, diff, db)
					}
				}
			}
		})
	}
}

// cursorPixels is at most the pointer's size, which the servers draw.
const cursorPixels = 32 * 32

// waitFramebuffer waits up to 10 s for c's picture to be ok against want and
// says how close it came.
func waitFramebuffer(c *rfb, want *image.RGBA, ok func(diff int, db float64) bool) (updates int64, diff int, db float64) {
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		c.fbMu.Lock()
		diff, db = compareBGRX(c.fb, want)
		c.fbMu.Unlock()
		if ok(diff, db) || time.Now().After(deadline) {
			return c.updates.Load(), diff, db
		}
	}
}

func compareBGRX(fb []byte, want *image.RGBA) (diff int, db float64) {
	var sq float64
	for i := 0; i < len(fb)/4; i++ {
		p, q := fb[i*4:], want.Pix[i*4:]
		d := 0
		for ch, w := range [3]byte{q[2], q[1], q[0]} {
			e := float64(p[ch]) - float64(w)
			sq += e * e
			if e != 0 {
				d = 1
			}
		}
		diff += d
	}
	mse := sq / float64(3*len(fb)/4)
	if mse == 0 {
		return diff, math.Inf(1)
	}
	return diff, 10 * math.Log10(255*255/mse)
}

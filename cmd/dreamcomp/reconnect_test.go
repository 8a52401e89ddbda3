package main

import (
	"image"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

// TestViewerReconnects: dreamcomp is killed (SIGKILL) while dreamview plays
// its tile in a window. dreamview says so over its last picture, dimmed, and
// once dreamcomp is back on the same address it plays again by itself,
// within 2 s, the tile exact as before.
func TestViewerReconnects(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys")
	args := func(listen string) []string {
		return []string{"--span", "2", "--tile-size", "320x240", "--listen", listen, "--keys-dir", keys,
			"--", filepath.Join(bin, "dreampattern"), "--tiles", "2"}
	}
	d := startDreamcomp(t, args("127.0.0.1:0")...)
	base, _ := splitPairing(t, d.url)
	laptop := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240, GLX: true})
	tile2 := func(d *dreamcomp) *image.RGBA {
		server := regexp.MustCompile(`display=(:\d+)`).FindStringSubmatch(d.stderr.String())[1]
		xvfbtest.Xdotool(t, server, "mousemove", "10", "10") // on tile 1: tile 2 shows no cursor
		return xvfbtest.Screenshot(t, server).SubImage(image.Rect(320, 0, 640, 240)).(*image.RGBA)
	}
	var viewErr *syncBuffer
	shows := func(want *image.RGBA, within time.Duration, what string) {
		t.Helper()
		var best float64
		for deadline := time.Now().Add(within); best < 50; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out after %v waiting for %s: best %.1f dB (want 50)\ndreamview:\n%s", within, what, best, viewErr)
			}
			best = max(best, psnrRGB(xvfbtest.Screenshot(t, laptop.Display()), want))
		}
	}

	viewErr, exited := startWindow(t, laptop.Display(), d.url, "--tile", "2")
	before := tile2(d)
	shows(before, 20*time.Second, "the window to show tile 2")

	server := regexp.MustCompile(`display=(:\d+)`).FindStringSubmatch(d.stderr.String())[1]
	windows := xvfbtest.Windows(t, server)
	d.cmd.Process.Kill()
	d.wait(t, 10*time.Second)
	// The picture stays, dimmed, under "reconnecting to HOST…" in white.
	waitFor(t, 10*time.Second, "the window to dim its picture and say it is reconnecting", func() bool {
		got := xvfbtest.Screenshot(t, laptop.Display())
		top := image.Rect(0, 0, 320, 60)
		return psnrRGB(got.SubImage(top).(*image.RGBA), dimmed(before.SubImage(top.Add(before.Rect.Min)).(*image.RGBA))) >= 30 &&
			whitePixels(got.SubImage(image.Rect(0, 100, 320, 140)).(*image.RGBA)) >= 50
	})
	if !strings.Contains(viewErr.String(), "reconnecting") {
		t.Errorf("dreamview did not log that it is reconnecting:\n%s", viewErr)
	}

	d2 := startDreamcomp(t, args(strings.TrimPrefix(base, "https://"))...)
	restarted := time.Now()
	waitFor(t, 10*time.Second, "dreamview to play again", func() bool { return strings.Contains(viewErr.String(), "playing again") })
	if took := time.Since(restarted); took > 2*time.Second {
		t.Errorf("dreamview played again %v after dreamcomp was back; want within 2 s", took.Round(time.Millisecond))
	}
	shows(tile2(d2), 10*time.Second, "the window to show tile 2 exactly again, undimmed")
	select {
	case err := <-exited:
		t.Fatalf("dreamview exited: %v\n%s", err, viewErr)
	default:
	}
	t.Logf("played again %v after the restart", time.Since(restarted).Round(time.Millisecond))
	// The desktop outlived dreamcomp: the restarted one attached to it, and
	// its application's windows are the same ones.
	if !strings.Contains(d2.stderr.String(), "attached to the running session") || !strings.Contains(d2.stderr.String(), "display="+server) {
		t.Errorf("the restarted dreamcomp did not attach to the session on %s:\n%s", server, d2.stderr)
	}
	if got := xvfbtest.Windows(t, server); !slices.Equal(got, windows) || len(windows) == 0 {
		t.Errorf("the desktop's windows after the restart: %q; want the same as before, %q", got, windows)
	}

	// A server set up anew at that address (another certificate) is not the
	// paired one: dreamview stops trying and says why.
	d2.cmd.Process.Kill()
	d2.wait(t, 10*time.Second)
	keys = filepath.Join(t.TempDir(), "other-keys")
	startDreamcomp(t, args(strings.TrimPrefix(base, "https://"))...)
	select {
	case err := <-exited:
		if err == nil || !strings.Contains(viewErr.String(), "certificate") {
			t.Errorf("dreamview facing another certificate: %v; want an error naming the certificate\n%s", err, viewErr)
		}
		lines := strings.Split(strings.TrimSpace(viewErr.String()), "\n")
		t.Logf("dreamview's last words: %s", lines[len(lines)-1])
	case <-time.After(15 * time.Second):
		t.Errorf("dreamview still trying 15 s after the server came back with another certificate\n%s", viewErr)
	}
}

// dimmed is img as the viewer draws it under a status line.
func dimmed(img *image.RGBA) *image.RGBA {
	out := image.NewRGBA(img.Rect)
	dim := func(v uint8) uint8 { return uint8(float64(v)*0.35 + 0.5) }
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			c := img.RGBAAt(x, y)
			c.R, c.G, c.B = dim(c.R), dim(c.G), dim(c.B)
			out.SetRGBA(x, y, c)
		}
	}
	return out
}

// whitePixels counts the pixels of img that are nearly white.
func whitePixels(img *image.RGBA) int {
	n := 0
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			if c := img.RGBAAt(x, y); c.R > 240 && c.G > 240 && c.B > 240 {
				n++
			}
		}
	}
	return n
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dream/internal/xvfb/xvfbtest"
)

// browser runs Debian's Chromium, headless, for the test, with a window the
// size of a tile. It trusts dreamcomp's self-signed certificate (the page is
// what is tested, not certificate dialogs) and offers loopback candidates (the
// only ones in the tests' network namespace) once the page has been granted
// media.
func browser(t *testing.T, w, h int) context.Context {
	t.Helper()
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Fatal("chromium is not installed: run scripts/setup")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("chromium"),
		chromedp.NoSandbox, // tests run as root
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(w, h),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true), // grants the page's media probe
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("hide-scrollbars", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if _, err := chromedp.Run(ctx, chromedp.EmulateViewport(int64(w), int64(h))); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// pageState is what the viewer page reports in window.dream.
type pageState struct {
	Connected     bool     `json:"connected"`
	Connections   int      `json:"connections"`
	Ready         bool     `json:"ready"` // input channel open, picture sized
	FramesDecoded int      `json:"framesDecoded"`
	Width         int      `json:"width"`
	Height        int      `json:"height"`
	Errors        []string `json:"errors"`
}

// waitPage waits until the page's state satisfies ok.
func waitPage(t *testing.T, ctx context.Context, what string, ok func(pageState) bool) pageState {
	t.Helper()
	var st pageState
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](`window.dream || {}`))
		if err == nil {
			st = got
			if ok(st) {
				return st
			}
		}
	}
	t.Fatalf("the page: no %s within 20 s; its state: %+v", what, st)
	return st
}

// pageMatches compares screenshots of the page (the size of r) with region r
// of the desktop on display server until they match at dB or 15 s pass, and
// returns the best PSNR seen.
func pageMatches(t *testing.T, ctx context.Context, server string, r image.Rectangle, dB float64) float64 {
	t.Helper()
	var best float64
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline) && best < dB; time.Sleep(300 * time.Millisecond) {
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatal(err)
		}
		got := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
		draw.Draw(got, got.Rect, img, img.Bounds().Min, draw.Src)
		best = max(best, psnrRGB(got, xvfbtest.Screenshot(t, server).SubImage(r).(*image.RGBA)))
	}
	return best
}

// TestBrowserPlaysTile: the browser viewer plays tile 2, with either codec:
// the browser's own counters show decoded frames of the tile's size, and a
// screenshot of the page matches the desktop's region at 50 dB or more (the
// patch lane's exact pixels; video alone gives about 35).
func TestBrowserPlaysTile(t *testing.T) {
	for _, codec := range []string{"h264", "vp8"} {
		t.Run(codec, func(t *testing.T) {
			d := startDreamcomp(t, "--span", "2", "--tile-size", "320x240", "--listen", "127.0.0.1:0", "--codec", codec,
				"--", filepath.Join(bin, "dreampattern"), "--tiles", "2")
			server := regexp.MustCompile(`display=(:\d+)`).FindStringSubmatch(d.stderr.String())[1]
			xvfbtest.Xdotool(t, server, "mousemove", "10", "10") // the cursor stays out of tile 2
			ctx := browser(t, 320, 240)
			base, token := splitPairing(t, d.url)
			if _, err := chromedp.Run(ctx, chromedp.Navigate(base+"/view/2?token="+token)); err != nil {
				t.Fatal(err)
			}
			waitPage(t, ctx, "decoded 320x240 frames", func(s pageState) bool {
				return s.FramesDecoded > 0 && s.Width == 320 && s.Height == 240
			})
			best := pageMatches(t, ctx, server, image.Rect(320, 0, 640, 240), 50)
			pic, _ := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`window.dream.picture`))
			t.Logf("the page shows tile 2 at %.1f dB; its picture: %v", best, pic)
			if best < 50 {
				t.Errorf("the page shows tile 2 at %.1f dB PSNR against the desktop; want ≥ 50", best)
			}
		})
	}
}

// TestBrowserInput: keys and clicks dispatched to the page reach X clients
// on the desktop: an xterm and xev in tile 2.
func TestBrowserInput(t *testing.T) {
	dir := t.TempDir()
	typed, clicks := filepath.Join(dir, "typed.txt"), filepath.Join(dir, "xev.txt")
	t.Setenv("LC_ALL", "C.UTF-8")
	apps := fmt.Sprintf("xterm -u8 -geometry 30x6+330+10 -e sh -c 'stty -echo; cat > %s' & exec xev -event button -geometry 100x80+530+140 > %s", typed, clicks)
	d := startDreamcomp(t, "--span", "2", "--tile-size", "320x240", "--listen", "127.0.0.1:0", "--", "sh", "-c", apps)
	server := regexp.MustCompile(`display=(:\d+)`).FindStringSubmatch(d.stderr.String())[1]
	waitFor(t, 10*time.Second, "the terminal on the desktop", func() bool {
		out, _ := exec.Command("sh", "-c", "DISPLAY="+server+" xdotool search --onlyvisible --class xterm").Output()
		return len(bytes.TrimSpace(out)) > 0
	})
	ctx := browser(t, 320, 240)
	base, token := splitPairing(t, d.url)
	if _, err := chromedp.Run(ctx, chromedp.Navigate(base+"/view/2?token="+token)); err != nil {
		t.Fatal(err)
	}
	waitPage(t, ctx, "a connection ready for input", func(s pageState) bool { return s.Ready })

	// A click on the terminal (tile x 40, y 30: desktop 360, 30), then typing.
	if _, err := chromedp.Run(ctx, chromedp.MouseClickXY(40, 30)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the desktop pointer at 360,30", func() bool {
		x, y, _ := xvfbtest.Pointer(t, server)
		return x == 360 && y == 30
	})
	if _, err := chromedp.Run(ctx, chromedp.KeyEvent("Hello, browser 42!\r")); err != nil {
		t.Fatal(err)
	}
	typedLine(t, typed, "the desktop's terminal", "Hello, browser 42!")

	// Clicks on xev (tile 260,180: desktop 580,180), left then right.
	for _, b := range []struct {
		opt  chromedp.MouseOption
		want string
	}{{chromedp.ButtonLeft, "button 1,"}, {chromedp.ButtonRight, "button 3,"}} {
		if _, err := chromedp.Run(ctx, chromedp.MouseClickXY(260, 180, b.opt)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 5*time.Second, "xev to see "+b.want, func() bool {
			out, _ := os.ReadFile(clicks)
			return strings.Contains(string(out), b.want)
		})
	}
}

// splitPairing takes the server and the token from a pairing URL.
func splitPairing(t *testing.T, pairing string) (base, token string) {
	t.Helper()
	m := regexp.MustCompile(`^(https://[^/]+)/\?token=([0-9a-f]+)`).FindStringSubmatch(pairing)
	if m == nil {
		t.Fatalf("pairing URL %q", pairing)
	}
	return m[1], m[2]
}

// TestBrowserReconnects: the page lists the tiles; a tile's page plays on by
// itself when dreamcomp restarts.
func TestBrowserReconnects(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys")
	d := startDreamcomp(t, "--span", "2", "--tile-size", "160x120", "--listen", "127.0.0.1:0", "--keys-dir", keys,
		"--", filepath.Join(bin, "dreampattern"), "--tiles", "2", "--animate")
	base, token := splitPairing(t, d.url)
	ctx := browser(t, 320, 240)
	if _, err := chromedp.Run(ctx, chromedp.Navigate(base+"/?token="+token)); err != nil {
		t.Fatal(err)
	}
	var list string
	waitFor(t, 10*time.Second, "the page to list tiles 1 and 2", func() bool {
		list, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("tiles").innerText`))
		return strings.Contains(list, "Tile 1") && strings.Contains(list, "Tile 2 — 160×120")
	})

	if _, err := chromedp.Run(ctx, chromedp.Navigate(base+"/view/1?token="+token)); err != nil {
		t.Fatal(err)
	}
	waitPage(t, ctx, "frames", func(s pageState) bool { return s.Connected && s.FramesDecoded > 0 })
	d.cmd.Process.Signal(os.Interrupt)
	d.wait(t, 10*time.Second)
	waitPage(t, ctx, "the connection lost", func(s pageState) bool { return !s.Connected })
	startDreamcomp(t, "--span", "2", "--tile-size", "160x120", "--listen", strings.TrimPrefix(base, "https://"), "--keys-dir", keys,
		"--", filepath.Join(bin, "dreampattern"), "--tiles", "2", "--animate")
	waitPage(t, ctx, "frames after the restart", func(s pageState) bool {
		return s.Connected && s.Connections >= 2 && s.FramesDecoded > 0
	})
}

// TestBrowserDrawsCursor: the page draws the desktop's cursor while it is on
// its tile (here moved by another program), at its place, and not otherwise.
func TestBrowserDrawsCursor(t *testing.T) {
	d := startDreamcomp(t, "--span", "2", "--tile-size", "160x120", "--listen", "127.0.0.1:0")
	server := regexp.MustCompile(`display=(:\d+)`).FindStringSubmatch(d.stderr.String())[1]
	base, token := splitPairing(t, d.url)
	ctx := browser(t, 320, 240)
	if _, err := chromedp.Run(ctx, chromedp.Navigate(base+"/view/2?token="+token)); err != nil {
		t.Fatal(err)
	}
	waitPage(t, ctx, "frames", func(s pageState) bool { return s.Connected && s.FramesDecoded > 0 })
	type drawn struct {
		X, Y  int
		Image bool
	}
	cursor := func() *drawn {
		c, _ := chromedp.Run(ctx, chromedp.Evaluate[*drawn](`window.dream.cursor`))
		return c
	}
	xvfbtest.Xdotool(t, server, "mousemove", "200", "50") // tile 2, at 40,50
	waitFor(t, 5*time.Second, "the cursor's image drawn at 40,50", func() bool {
		c := cursor()
		return c != nil && c.X == 40 && c.Y == 50 && c.Image
	})
	xvfbtest.Xdotool(t, server, "mousemove", "20", "50") // tile 1
	waitFor(t, 5*time.Second, "no cursor drawn", func() bool { return cursor() == nil })
}

// TestBrowserShowsApplications: real applications (xterm with coloured
// text, xcalc, xlogo, a photo) spread over three tiles; once the desktop is
// still, a screenshot of the page matches each tile's region at 50 dB or
// more (the exact pixels of the patch lane), photo and all.
func TestBrowserShowsApplications(t *testing.T) {
	d := startDreamcomp(t, "--span", "3", "--tile-size", "640x400", "--listen", "127.0.0.1:0")
	server := regexp.MustCompile(`display=(:\d+)`).FindStringSubmatch(d.stderr.String())[1]
	xvfbtest.StartApps(t, server, 3*640)
	xvfbtest.Xdotool(t, server, "mousemove", "960", "390") // the cursor on tile 2, which is not looked at: X's screenshot has none
	ctx := browser(t, 640, 400)
	base, token := splitPairing(t, d.url)
	for _, tile := range []int{1, 3} {
		if _, err := chromedp.Run(ctx, chromedp.Navigate(fmt.Sprintf("%s/view/%d?token=%s", base, tile, token))); err != nil {
			t.Fatal(err)
		}
		waitPage(t, ctx, "a picture", func(s pageState) bool { return s.Connected && s.FramesDecoded > 0 })
		x := (tile - 1) * 640
		best := pageMatches(t, ctx, server, image.Rect(x, 0, x+640, 400), 50)
		pic, _ := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`window.dream.picture`))
		t.Logf("tile %d: %.1f dB; the page's picture: %v", tile, best, pic)
		if best < 50 {
			t.Errorf("the page shows tile %d at %.1f dB against the desktop; want ≥ 50", tile, best)
		}
	}
}

// Package xvfbtest gives tests an Xvfb display of their own.
//
//	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 480})
//	src, err := capture.Open(capture.Config{Display: srv.Display()})
//
// A missing Xvfb fails the test rather than skipping it: X11 tests are part
// of the suite, and a skip would hide a machine that cannot run them.
package xvfbtest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb/xproto"

	"dream/internal/x11"
	"dream/internal/xvfb"
)

// StartForTest starts an Xvfb server for t and stops it when t ends. It fails
// the test (t.Fatal) if Xvfb is missing or does not start within 30 s.
func StartForTest(t testing.TB, cfg xvfb.Config) *xvfb.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := xvfb.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("stop Xvfb: %v", err)
		}
	})
	return srv
}

// Screenshot reads the whole screen of display with a plain GetImage (no
// shared memory, none of dream's capture code) and returns it as RGBA.
func Screenshot(t testing.TB, display string) *image.RGBA {
	t.Helper()
	conn, _, err := x11.Dial(display)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	defer conn.Close()
	s := xproto.Setup(conn).DefaultScreen(conn)
	w, h := int(s.WidthInPixels), int(s.HeightInPixels)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	const band = 64 // rows a request: stays under the maximum request length
	for y := 0; y < h; y += band {
		rows := min(band, h-y)
		r, err := xproto.GetImage(conn, xproto.ImageFormatZPixmap, xproto.Drawable(s.Root),
			0, int16(y), uint16(w), uint16(rows), 0xffffffff).Reply()
		if err != nil {
			t.Fatalf("screenshot of %s: %v", display, err)
		}
		for i := 0; i < w*rows; i++ { // B,G,R,X → R,G,B,A
			o := y*w*4 + i*4
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = r.Data[i*4+2], r.Data[i*4+1], r.Data[i*4], 255
		}
	}
	return img
}

// Pointer reads where display's pointer is (QueryPointer on the root), and the
// buttons and modifiers held (the mask).
func Pointer(t testing.TB, display string) (x, y int, mask uint16) {
	t.Helper()
	conn, _, err := x11.Dial(display)
	if err != nil {
		t.Fatalf("pointer: %v", err)
	}
	defer conn.Close()
	p, err := xproto.QueryPointer(conn, xproto.Setup(conn).DefaultScreen(conn).Root).Reply()
	if err != nil {
		t.Fatalf("pointer of %s: %v", display, err)
	}
	return int(p.RootX), int(p.RootY), p.Mask
}

// Xdotool runs xdotool with args on display and fails the test if it fails.
// Its relative motion (mousemove_relative) and keys go through XTEST, as a
// real device's would; its mousemove warps the pointer.
func Xdotool(t testing.TB, display string, args ...string) {
	t.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool %s on %s: %v: %s", strings.Join(args, " "), display, err, out)
	}
}

// ServerPid is the process id of the X server of display, as its socket's
// peer credentials say (Xvfb -displayfd writes no lock file).
func ServerPid(t testing.TB, display string) int {
	t.Helper()
	c, err := net.Dial("unix", "/tmp/.X11-unix/X"+strings.TrimPrefix(display, ":"))
	if err != nil {
		t.Fatalf("X server of %s: %v", display, err)
	}
	defer c.Close()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var cred *syscall.Ucred
	var credErr error
	raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if credErr != nil {
		t.Fatalf("X server of %s: peer credentials: %v", display, credErr)
	}
	return int(cred.Pid)
}

// Windows are the ids of the root window's children on display, in
// stacking order: the same list before and after means the same windows.
func Windows(t testing.TB, display string) []string {
	t.Helper()
	cmd := exec.Command("xwininfo", "-root", "-children")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("xwininfo -root -children on %s: %v", display, err)
	}
	var ids []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "0x") {
			ids = append(ids, f[0])
		}
	}
	return ids
}

// Terminal is an xterm on a test's display that writes what is typed into it
// to a file (without echo), for tests that type from afar.
type Terminal struct {
	path string
	read int // bytes of the file already returned by Line
}

// StartTerminal opens a Terminal at the top left of display, geometry in
// xterm's COLSxROWS, and waits until it is on screen. It closes when the test
// ends.
func StartTerminal(t testing.TB, display, geometry string) *Terminal {
	t.Helper()
	term := &Terminal{path: filepath.Join(t.TempDir(), "typed.txt")}
	cmd := exec.Command("xterm", "-u8", "-geometry", geometry+"+0+0", "-e", "sh", "-c", "stty -echo; cat > "+term.path)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LC_ALL=C.UTF-8")
	if err := cmd.Start(); err != nil {
		t.Fatalf("xterm: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	WaitWindow(t, display, "xterm", 10*time.Second)
	return term
}

// WaitWindow waits until a window of class is on display's screen, and fails
// the test if none is within d.
func WaitWindow(t testing.TB, display, class string, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); ; time.Sleep(50 * time.Millisecond) {
		find := exec.Command("xdotool", "search", "--onlyvisible", "--class", class)
		find.Env = append(os.Environ(), "DISPLAY="+display)
		if out, _ := find.Output(); len(strings.TrimSpace(string(out))) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear on %s within %v", class, display, d)
		}
	}
}

// Line waits up to 10 s for the terminal's next complete line and returns it
// (without the line break); "" if none came.
func (term *Terminal) Line(t testing.TB) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(term.path)
		if len(b) < term.read {
			continue
		}
		if i := strings.IndexByte(string(b[term.read:]), '\n'); i >= 0 {
			line := string(b[term.read : term.read+i])
			term.read += i + 1
			return line
		}
	}
	return ""
}

// Copy puts text in display's selection ("clipboard" or "primary") as a
// program copying it would: xclip owns the selection, in the background,
// until another program takes it or the display ends.
func Copy(t testing.TB, display, selection, text string) {
	t.Helper()
	cmd := exec.Command("xclip", "-i", "-selection", selection)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	cmd.Stdin = strings.NewReader(text)
	if err := cmd.Run(); err != nil { // xclip returns once its child owns the selection
		t.Fatalf("xclip -i on %s: %v", display, err)
	}
}

// Paste reads display's selection as a program pasting it would ("" when
// nothing is there).
func Paste(t testing.TB, display, selection string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xclip", "-o", "-selection", selection)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, _ := cmd.Output() // fails when nothing is selected
	return string(out)
}

// Pasted waits up to 5 s until pasting display's selection gives want, and
// fails the test if it never does.
func Pasted(t testing.TB, display, selection, want string) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = Paste(t, display, selection); got == want {
			return
		}
	}
	t.Errorf("pasting %s's %s gave %q; want %q", display, selection, got, want)
}

// StartApps puts real X applications on display, spread over a screen of
// width w (so that a span of three tiles has some on each): an xterm with
// coloured text, xcalc, xlogo, and ImageMagick's display showing a photo. It
// returns once all are on screen and the screen has stopped changing; they
// close when the test ends.
func StartApps(t testing.TB, display string, w int) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	photo := filepath.Join(filepath.Dir(file), "../../../bench/testdata/photo.jpg")
	third := w / 3
	apps := []struct {
		class string
		args  []string
	}{
		{"xterm", []string{"xterm", "-geometry", "60x16+0+0", "-e", "sh", "-c",
			`printf '\033[31mred \033[32mgreen \033[34mblue \033[1;33mbold yellow\033[0m plain\n'; ls -l --color=always /usr/bin | head -12; exec sleep 1000`}},
		{"xcalc", []string{"xcalc", "-geometry", fmt.Sprintf("200x260+%d+10", third+20)}},
		{"xlogo", []string{"xlogo", "-geometry", fmt.Sprintf("120x120+%d+20", third+240)}},
		{"display", []string{"display", "-geometry", fmt.Sprintf("+%d+10", 2*third+10), "-resize", fmt.Sprintf("%dx%d", third-30, 400), photo}},
	}
	for _, a := range apps {
		cmd := exec.Command(a.args[0], a.args[1:]...)
		cmd.Env = append(os.Environ(), "DISPLAY="+display, "LC_ALL=C.UTF-8")
		if err := cmd.Start(); err != nil {
			t.Fatalf("%s: %v", a.args[0], err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	}
	for _, a := range apps {
		WaitWindow(t, display, a.class, 15*time.Second)
	}
	Still(t, display, 300*time.Millisecond)
}

// Still waits (up to 10 s) until display's screen has not changed for d.
func Still(t testing.TB, display string, d time.Duration) {
	t.Helper()
	last := Screenshot(t, display)
	since := time.Now()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		now := Screenshot(t, display)
		if !bytes.Equal(now.Pix, last.Pix) {
			last, since = now, time.Now()
		} else if time.Since(since) >= d {
			return
		}
	}
	t.Fatalf("the screen of %s never stayed still for %v", display, d)
}

package main

import (
	"bytes"
	"fmt"
	"image"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	inputclient "dream/inputd/client"
	"dream/internal/barriertest"
	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

// inputRig is dreamcomp spanning two 320x240 tiles with a terminal in tile 2
// writing what it is typed into a file, and a fullscreen dreamview of tile 2 on
// a "laptop" display of its own (tile 2 unless asked otherwise).
type inputRig struct {
	d      *dreamcomp
	server string // the spanned desktop's display
	laptop string // the viewer's display
	typed  string // the terminal's output file
	view   *exec.Cmd
	exited chan error
	stderr *syncBuffer
}

func startInputRig(t *testing.T, tile int) *inputRig {
	t.Helper()
	r := &inputRig{typed: filepath.Join(t.TempDir(), "typed.txt"), exited: make(chan error, 1), stderr: &syncBuffer{}}
	// The terminal sits in tile 2 (x 320..640): cat writes each line typed.
	t.Setenv("LC_ALL", "C.UTF-8")
	r.d = startDreamcomp(t, "--span", "2", "--tile-size", "320x240", "--listen", "127.0.0.1:0",
		"--", "xterm", "-u8", "-geometry", "40x8+330+20", "-e", "sh", "-c", "stty -echo; cat > "+r.typed)
	r.server = regexp.MustCompile(`display=(:\d+)`).FindStringSubmatch(r.d.stderr.String())[1]
	r.laptop = xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240, GLX: true}).Display()

	r.view = exec.Command(filepath.Join(bin, "dreamview"), r.d.url, "--tile", fmt.Sprint(tile))
	r.view.Env = append(os.Environ(), "DISPLAY="+r.laptop)
	r.view.Stderr = r.stderr
	if err := r.view.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.exited <- r.view.Wait() }()
	t.Cleanup(func() { r.view.Process.Kill() })

	// Wait for the viewer's first picture and the terminal's window.
	waitFor(t, 20*time.Second, "the viewer shows the tile", func() bool {
		return !allBlack(xvfbtest.Screenshot(t, r.laptop).Pix)
	})
	waitFor(t, 20*time.Second, "the terminal's window", func() bool {
		out, _ := r.xdotool(r.server, "search", "--onlyvisible", "--class", "xterm")
		return len(bytes.TrimSpace(out)) > 0
	})
	return r
}

func (r *inputRig) xdotool(display string, args ...string) ([]byte, error) {
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	return cmd.CombinedOutput()
}

func (r *inputRig) laptopDo(t *testing.T, args ...string) {
	t.Helper()
	if out, err := r.xdotool(r.laptop, args...); err != nil {
		t.Fatalf("xdotool %q on the laptop: %v\n%s", args, err, out)
	}
}

// serverPointer reads the desktop's pointer with QueryPointer.
func (r *inputRig) serverPointer(t *testing.T) (x, y int, mask uint16) {
	t.Helper()
	return xvfbtest.Pointer(t, r.server)
}

// serverKeysDown lists the keycodes held on the desktop (QueryKeymap).
func (r *inputRig) serverKeysDown(t *testing.T) []int {
	t.Helper()
	conn := xconn(t, r.server)
	defer conn.Close()
	km, err := xproto.QueryKeymap(conn).Reply()
	if err != nil {
		t.Fatal(err)
	}
	var down []int
	for i, b := range km.Keys {
		for bit := 0; bit < 8; bit++ {
			if b&(1<<bit) != 0 {
				down = append(down, i*8+bit)
			}
		}
	}
	return down
}

func xconn(t *testing.T, display string) *xgb.Conn {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

func waitFor(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
	}
}

func allBlack(pix []byte) bool {
	for i := 0; i < len(pix); i += 4 {
		if pix[i]|pix[i+1]|pix[i+2] != 0 {
			return false
		}
	}
	return true
}

// TestInputFromViewer types and points on the laptop, as a user would, and checks
// what the desktop received.
func TestInputFromViewer(t *testing.T) {
	r := startInputRig(t, 2)

	// The pointer follows: laptop (100, 60) is desktop (420, 60), over the terminal.
	r.laptopDo(t, "mousemove", "100", "60")
	waitFor(t, 5*time.Second, "the desktop pointer at 420,60", func() bool {
		x, y, _ := r.serverPointer(t)
		return x == 420 && y == 60
	})

	// Typing, with Shift, digits and symbols the desktop's US keymap lacks.
	r.laptopDo(t, "type", "--delay", "20", "hello World 1! é€ß")
	r.laptopDo(t, "key", "Return")
	typedLine(t, r.typed, "the terminal on the desktop", "hello World 1! é€ß")

	// A button held on the laptop is held on the desktop, and released with it.
	r.laptopDo(t, "mousedown", "1")
	waitFor(t, 5*time.Second, "button 1 down on the desktop", func() bool {
		_, _, mask := r.serverPointer(t)
		return mask&xproto.KeyButMaskButton1 != 0
	})
	r.laptopDo(t, "mouseup", "1")
	waitFor(t, 5*time.Second, "button 1 up on the desktop", func() bool {
		_, _, mask := r.serverPointer(t)
		return mask&xproto.KeyButMaskButton1 == 0
	})
	if down := r.serverKeysDown(t); len(down) != 0 {
		t.Errorf("keys still down on the desktop after typing: %v", down)
	}
	if strings.Contains(r.stderr.String(), "level=WARN") {
		t.Errorf("dreamview warned:\n%s", r.stderr)
	}
}

// TestKilledViewerLeavesNoKeyDown kills a viewer while it holds a key and a
// button: the desktop releases both.
func TestKilledViewerLeavesNoKeyDown(t *testing.T) {
	r := startInputRig(t, 2)
	r.laptopDo(t, "mousemove", "100", "60")
	r.laptopDo(t, "keydown", "shift")
	r.laptopDo(t, "mousedown", "3")
	waitFor(t, 5*time.Second, "Shift and button 3 down on the desktop", func() bool {
		_, _, mask := r.serverPointer(t)
		return len(r.serverKeysDown(t)) > 0 && mask&xproto.KeyButMaskButton3 != 0
	})
	r.view.Process.Kill()
	<-r.exited
	waitFor(t, 20*time.Second, "the desktop to release what the killed viewer held", func() bool {
		_, _, mask := r.serverPointer(t)
		return len(r.serverKeysDown(t)) == 0 && mask&(xproto.KeyButMaskButton3|xproto.KeyButMaskShift) == 0
	})
}

// TestViewerDrawsCursor: the desktop's cursor is not in the video; the viewer
// draws it where the desktop's pointer is.
func TestViewerDrawsCursor(t *testing.T) {
	r := startInputRig(t, 2)
	// Pixels that differ between the laptop's screen and tile 2 of the desktop's,
	// around p (the desktop's own screenshot never contains the cursor).
	cursorAt := func(p image.Point) int {
		box := image.Rect(p.X-12, p.Y-12, p.X+12, p.Y+12)
		laptop := xvfbtest.Screenshot(t, r.laptop)
		desk := xvfbtest.Screenshot(t, r.server)
		n := 0
		for y := box.Min.Y; y < box.Max.Y; y++ {
			for x := box.Min.X; x < box.Max.X; x++ {
				a, b := laptop.RGBAAt(x, y), desk.RGBAAt(320+x, y)
				if absDiff(a.R, b.R)+absDiff(a.G, b.G)+absDiff(a.B, b.B) > 120 {
					n++
				}
			}
		}
		return n
	}
	// First over the root window (the cursor the desktop had from the start),
	// then over the terminal (its own cursor).
	for _, p := range []image.Point{{220, 170}, {100, 60}} {
		r.laptopDo(t, "mousemove", fmt.Sprint(p.X), fmt.Sprint(p.Y))
		waitFor(t, 10*time.Second, fmt.Sprintf("the cursor drawn at %v", p), func() bool { return cursorAt(p) >= 15 })
	}
	if n := cursorAt(image.Pt(220, 170)); n >= 15 {
		t.Errorf("%d cursor-like pixels left at the old position 220,170 after moving away", n)
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// TestPointerCrossesTiles: with the pointer captured, moving past tile 1's right
// edge goes on into tile 2, Synergy style; the hotkeys put it in the centre of the
// previous or next tile; releasing the capture brings back absolute pointing.
func TestPointerCrossesTiles(t *testing.T) {
	r := startInputRig(t, 1)
	at := func(what string, ok func(x, y int) bool) {
		t.Helper()
		var x, y int
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			x, y, _ = r.serverPointer(t)
			if ok(x, y) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("desktop pointer at %d,%d; want %s", x, y, what)
			}
		}
	}
	// (The laptop's pointer starts at its centre: a move there would be no move.)
	r.laptopDo(t, "mousemove", "150", "100")
	at("150,100", func(x, y int) bool { return x == 150 && y == 100 })

	r.laptopDo(t, "key", "ctrl+alt+shift+c")
	r.laptopDo(t, "mousemove_relative", "--", "250", "0")
	at("in tile 2 (x ≥ 370), at y 100", func(x, y int) bool { return x >= 370 && y == 100 })

	r.laptopDo(t, "key", "ctrl+alt+Left")
	at("the centre of tile 1, 160,120", func(x, y int) bool { return x == 160 && y == 120 })
	r.laptopDo(t, "key", "ctrl+alt+Right")
	at("the centre of tile 2, 480,120", func(x, y int) bool { return x == 480 && y == 120 })

	r.laptopDo(t, "key", "ctrl+alt+shift+c") // release
	r.laptopDo(t, "mousemove", "10", "20")
	at("10,20 (absolute again, inside tile 1)", func(x, y int) bool { return x == 10 && y == 20 })
	if down := r.serverKeysDown(t); len(down) != 0 {
		t.Errorf("keys left down on the desktop after the hotkeys: %v", down)
	}
}

// TestLaptopLayouts types on laptops with other keyboard layouts than the
// desktop's US one: dead keys (US international), AZERTY (digits are shifted),
// and QWERTZ's AltGr symbols. The desktop must type what the laptop's keys say.
func TestLaptopLayouts(t *testing.T) {
	r := startInputRig(t, 2)
	r.laptopDo(t, "mousemove", "100", "60")
	setxkbmap := func(args ...string) {
		cmd := exec.Command("setxkbmap", args...)
		cmd.Env = append(os.Environ(), "DISPLAY="+r.laptop)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("setxkbmap %q: %v\n%s", args, err, out)
		}
	}
	setxkbmap("-layout", "us", "-variant", "intl")
	r.laptopDo(t, "key", "--delay", "30", "dead_acute", "e", "dead_diaeresis", "u") // é ü, composed on the desktop
	setxkbmap("-layout", "fr")
	r.laptopDo(t, "type", "--delay", "30", "azerty1&")
	setxkbmap("-layout", "de")
	r.laptopDo(t, "type", "--delay", "30", "z@€")
	r.laptopDo(t, "key", "Return")
	typedLine(t, r.typed, "the desktop's terminal", "éüazerty1&z@€")
}

// srvAndDream is a Barrier configuration of an input server's screen, srv,
// with dreamcomp's desktop, dream, beyond its right edge.
const srvAndDream = `section: screens
	srv:
	dream:
end
section: links
	srv:
		right = dream
	dream:
		left = srv
end
`

// TestDreamcompJoinsBarrier: an existing Barrier server drives the whole spanned
// desktop as one screen (dreamcomp --input-server): crossing the Barrier
// screen's right edge lands on the desktop, and typing there reaches its xterm.
func TestDreamcompJoinsBarrier(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240})
	// TLS, as Barrier runs by default: each side pins the other's certificate.
	profile := inputclient.Profile{Dir: t.TempDir()}
	cert, err := profile.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	bar := barriertest.StartTLS(t, srv.Display(), srvAndDream, inputclient.Fingerprint(cert.Certificate[0]))
	typed := filepath.Join(t.TempDir(), "typed.txt")
	t.Setenv("LC_ALL", "C.UTF-8")
	d := startDreamcomp(t, "--span", "2", "--tile-size", "320x240", "--listen", "127.0.0.1:0",
		"--input-server", bar.Addr, "--input-name", "dream", "--input-profile-dir", profile.Dir, "--input-trust", bar.Fingerprint,
		"--", "xterm", "-u8", "-geometry", "80x14+0+0", "-e", "sh", "-c", "stty -echo; cat > "+typed)
	desk := regexp.MustCompile(`display=(:\d+)`).FindStringSubmatch(d.stderr.String())[1]
	bar.WaitFor(t, 30*time.Second, `client "dream" has connected`)
	r := &inputRig{server: desk}
	waitFor(t, 10*time.Second, "the terminal on the desktop", func() bool {
		out, _ := r.xdotool(desk, "search", "--onlyvisible", "--class", "xterm")
		return len(bytes.TrimSpace(out)) > 0
	})

	r.xdotool(srv.Display(), "mousemove", "310", "60")
	for i := 0; i < 10 && !bar.Said(`switch from "srv" to "dream"`); i++ {
		r.xdotool(srv.Display(), "mousemove_relative", "--", "20", "0")
		time.Sleep(50 * time.Millisecond)
	}
	bar.WaitFor(t, 5*time.Second, `switch from "srv" to "dream"`)
	r.xdotool(srv.Display(), "mousemove_relative", "--", "100", "20")
	waitFor(t, 5*time.Second, "the desktop pointer to come in from the left", func() bool {
		x, y, _ := r.serverPointer(t)
		return x > 50 && x < 400 && y > 40
	})
	r.xdotool(srv.Display(), "type", "--delay", "30", "Span me!")
	r.xdotool(srv.Display(), "key", "Return")
	typedLine(t, typed, "the desktop's terminal", "Span me!")
}

// TestDreaminputServerDrivesDreamcomp: dreaminput server shares one machine's
// keyboard and mouse with dreamcomp's spanned desktop, over Barrier's TLS: the
// pointer crosses onto the desktop and on into its second tile, typing reaches
// the desktop's terminal, and a copy on the server machine is pasted there.
func TestDreaminputServerDrivesDreamcomp(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240}).Display()
	// Each side pins the other's certificate.
	srvProfile, deskProfile := inputclient.Profile{Dir: t.TempDir()}, inputclient.Profile{Dir: t.TempDir()}
	srvCert, err := srvProfile.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	deskCert, err := deskProfile.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "dream.conf")
	if err := os.WriteFile(conf, []byte(srvAndDream), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	input := exec.Command(filepath.Join(bin, "dreaminput"), "server", "--config", conf, "--name", "srv", "--display", srv,
		"--address", addr, "--profile-dir", srvProfile.Dir, "--trust-client", inputclient.Fingerprint(deskCert.Certificate[0]))
	inputLog := &syncBuffer{}
	input.Stderr = inputLog
	if err := input.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { input.Process.Signal(syscall.SIGTERM); input.Wait() })

	typed := filepath.Join(t.TempDir(), "typed.txt")
	t.Setenv("LC_ALL", "C.UTF-8")
	d := startDreamcomp(t, "--span", "2", "--tile-size", "320x240", "--listen", "127.0.0.1:0",
		"--input-server", addr, "--input-name", "dream", "--input-profile-dir", deskProfile.Dir,
		"--input-trust", inputclient.Fingerprint(srvCert.Certificate[0]),
		"--", "xterm", "-u8", "-geometry", "100x14+0+0", "-e", "sh", "-c", "stty -echo; cat > "+typed)
	desk := regexp.MustCompile(`display=(:\d+)`).FindStringSubmatch(d.stderr.String())[1]
	waitFor(t, 30*time.Second, "dreamcomp to join dreaminput server", func() bool {
		return strings.Contains(inputLog.String(), "screen connected")
	})
	r := &inputRig{server: desk}
	waitFor(t, 10*time.Second, "the terminal on the desktop", func() bool {
		out, _ := r.xdotool(desk, "search", "--onlyvisible", "--class", "xterm")
		return len(bytes.TrimSpace(out)) > 0
	})
	xvfbtest.Copy(t, srv, "clipboard", "from the server machine")

	// srv's right edge at 120 of 240 leads to the desktop's left edge at
	// 120 of 240; then 400 to the right is inside tile 2.
	r.xdotool(srv, "mousemove", "310", "120")
	r.xdotool(srv, "mousemove_relative", "--", "20", "0")
	waitFor(t, 5*time.Second, "the desktop pointer at its left edge", func() bool {
		x, y, _ := r.serverPointer(t)
		return x == 0 && y == 120
	})
	r.xdotool(srv, "mousemove_relative", "--", "400", "-100")
	waitFor(t, 5*time.Second, "the desktop pointer in tile 2", func() bool {
		x, y, _ := r.serverPointer(t)
		return x == 400 && y == 20
	})
	r.xdotool(srv, "type", "--delay", "20", "One keyboard, 2 tiles")
	r.xdotool(srv, "key", "Return")
	typedLine(t, typed, "the desktop's terminal", "One keyboard, 2 tiles")
	xvfbtest.Pasted(t, desk, "clipboard", "from the server machine")
}

// typedLine waits for the terminal writing to file to finish a line (up to
// 10 s), and checks it is want; who names the terminal in the failure.
func typedLine(t *testing.T, file, who, want string) {
	t.Helper()
	var got []byte
	waitFor(t, 10*time.Second, fmt.Sprintf("%s to write %q", who, want), func() bool {
		got, _ = os.ReadFile(file)
		return len(got) > 0 && got[len(got)-1] == '\n'
	})
	if string(got) != want+"\n" {
		t.Errorf("%s got %q; want %q", who, got, want+"\n")
	}
}

// TestStuckDesktop: the desktop's X server stops (SIGSTOP) for 8 s while a
// viewer types and moves the pointer. Nothing waits on it but what must:
// dreamcomp still answers, the viewer stays connected (pion answers its
// checks) and says nothing of a lost connection. Once X runs again, what was
// typed arrives, whole and in order, and no key is left down.
func TestStuckDesktop(t *testing.T) {
	r := startInputRig(t, 2)
	r.laptopDo(t, "mousemove", "100", "60")
	waitFor(t, 5*time.Second, "the desktop pointer at 420,60", func() bool {
		x, y, _ := r.serverPointer(t)
		return x == 420 && y == 60
	})
	pid := xvfbtest.ServerPid(t, r.server)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			syscall.Kill(pid, syscall.SIGCONT)
			resumed = true
		}
	}
	defer resume()
	stopped := time.Now()

	r.laptopDo(t, "type", "--delay", "20", "while stuck")
	r.laptopDo(t, "key", "Return")
	for i := range 100 { // motion to fill the queue with: dropped first
		r.laptopDo(t, "mousemove", fmt.Sprint(50+i%100), fmt.Sprint(40+i%50))
	}
	r.laptopDo(t, "mousemove", "100", "60")
	base, token := splitPairing(t, r.d.url)
	fp := regexp.MustCompile(`fp=([0-9a-f]+)`).FindStringSubmatch(r.d.url)[1]
	tiles := pinnedClient(fp)
	for time.Since(stopped) < 8*time.Second {
		start := time.Now()
		viewers(t, tiles, base, token)
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("GET /tiles took %v while the desktop's X server was stopped", took)
		}
		time.Sleep(500 * time.Millisecond)
	}
	tiles.CloseIdleConnections()
	resume()

	typedLine(t, r.typed, "the terminal on the desktop, once X ran again", "while stuck")
	waitFor(t, 5*time.Second, "no key down on the desktop", func() bool { return len(r.serverKeysDown(t)) == 0 })
	select {
	case err := <-r.exited:
		t.Fatalf("dreamview exited: %v\n%s", err, r.stderr)
	default:
	}
	if s := r.stderr.String(); strings.Contains(s, "reconnecting") || strings.Contains(s, "connection lost") {
		t.Errorf("dreamview lost its connection while the desktop's X server was stopped:\n%s", s)
	}
	if s := r.d.stderr.String(); strings.Contains(s, "level=ERROR") {
		t.Errorf("dreamcomp logged an error:\n%s", s)
	}
}

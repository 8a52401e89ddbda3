package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dream/internal/session"
	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

// bin holds the commands built once for these tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dream-bin-")
	if err != nil {
		panic(err)
	}
	build := exec.Command("go", "build", "-o", dir+"/", "../dreamcomp", "../dreamview", "../dreampattern", "../dreaminput")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		panic("building the commands: " + err.Error())
	}
	bin = dir
	// dreamcomp's keys and dreamview's paired servers go to a directory of the
	// tests', not the user's.
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	// So do the sessions; any a test leaves are stopped at the end.
	os.Setenv("XDG_RUNTIME_DIR", filepath.Join(dir, "run"))
	code := m.Run()
	if left, _ := session.List(""); len(left) > 0 {
		for _, s := range left {
			session.Stop(context.Background(), "", s.Name)
		}
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// dreamcomp is a running dreamcomp process.
type dreamcomp struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	done   chan error
}

// startDreamcomp runs dreamcomp with args and waits for its "serving" line.
// Without --display or --session, its display is the session named after
// the test, which ends with the test.
func startDreamcomp(t *testing.T, args ...string) *dreamcomp {
	t.Helper()
	if !slices.Contains(args, "--display") && !slices.Contains(args, "--session") {
		name := testSession(t)
		args = append([]string{"--session", name}, args...)
	}
	d := &dreamcomp{cmd: exec.Command(filepath.Join(bin, "dreamcomp"), args...), stderr: &syncBuffer{}, done: make(chan error, 1)}
	pipe, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		// The pairing URL is not logged (stderr is no terminal): it is kept
		// in the file the log names.
		re := regexp.MustCompile(` url_in=(\S+)`)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			d.stderr.WriteLine(sc.Text())
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				b, _ := os.ReadFile(m[1])
				urlc <- strings.TrimSpace(string(b))
			}
		}
		d.done <- d.cmd.Wait()
	}()
	t.Cleanup(func() {
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.done:
		case <-time.After(10 * time.Second):
			d.cmd.Process.Kill()
		}
	})
	select {
	case d.url = <-urlc:
	case err := <-d.done:
		t.Fatalf("dreamcomp %q exited before serving: %v\n%s", args, err, d.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("dreamcomp %q did not start serving in 30 s\n%s", args, d.stderr)
	}
	return d
}

// testSession is the session of t's dreamcomps, stopped when t ends.
func testSession(t *testing.T) string {
	name := regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(t.Name(), "-")
	if len(name) > 64 {
		name = name[:64]
	}
	t.Cleanup(func() {
		if err := session.Stop(context.Background(), "", name); err != nil && !errors.Is(err, session.ErrNoSession) {
			t.Errorf("dreamcomp --stop --session %s: %v", name, err)
		}
	})
	return name
}

// wait waits for dreamcomp to exit by itself and returns its exit error.
func (d *dreamcomp) wait(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case err := <-d.done:
		d.done <- err
		return err
	case <-time.After(within):
		t.Fatalf("dreamcomp still running after %v\n%s", within, d.stderr)
		return nil
	}
}

func runCmd(t *testing.T, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, name), args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// startWindow runs dreamview with args on display, its stderr collected; it
// is killed when the test ends. exited gets its end.
func startWindow(t *testing.T, display string, args ...string) (stderr *syncBuffer, exited chan error) {
	t.Helper()
	view := exec.Command(filepath.Join(bin, "dreamview"), args...)
	view.Env = append(os.Environ(), "DISPLAY="+display)
	stderr, exited = &syncBuffer{}, make(chan error, 1)
	view.Stderr = stderr
	if err := view.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { exited <- view.Wait() }()
	t.Cleanup(func() { view.Process.Kill() })
	return stderr, exited
}

// TestCommands is the README's cross-machine example on one machine: dreamcomp on
// its embedded display running an application, and dreamview --headless on a tile.
func TestCommands(t *testing.T) {
	d := startDreamcomp(t, "--span", "3", "--tile-size", "256x144", "--listen", "127.0.0.1:0",
		"--", filepath.Join(bin, "dreampattern"), "--tiles", "3", "--animate")
	if !strings.Contains(d.stderr.String(), "size=768x144 tiles=3 tile_size=256x144") {
		t.Errorf("dreamcomp's start line does not name the display size and tiles:\n%s", d.stderr)
	}

	snap := filepath.Join(t.TempDir(), "tile2.png")
	out, errOut, err := runCmd(t, "dreamview", d.url, "--tile", "2", "--headless", "--frames", "40", "--snapshot", snap, "--stats")
	if err != nil {
		t.Fatalf("dreamview: %v\n%s", err, errOut)
	}
	f, err := os.Open(snap)
	if err != nil {
		t.Fatalf("dreamview wrote no snapshot: %v", err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 144 {
		t.Errorf("snapshot is %v; want 256x144", b)
	}
	// 40 frames of a pattern animated a few times a second take several seconds:
	// at least one stats line.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var st struct {
		Tile    int     `json:"tile"`
		Frames  int     `json:"frames"`
		FPS     float64 `json:"fps"`
		Kbps    float64 `json:"kbps"`
		Decode  float64 `json:"decode_ms"`
		Latency float64 `json:"latency_ms"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &st); err != nil || st.Tile != 2 {
		t.Errorf("--stats line %q: %v; want JSON for tile 2", lines[0], err)
	}
	// Both ends share this machine's clock: capture-to-screen latency is known.
	if st.Latency <= 0 || st.Latency > 1000 || st.Decode <= 0 {
		t.Errorf("--stats line %q: latency_ms %v, decode_ms %v; want a latency between 0 and 1000 ms and a decode time", lines[0], st.Latency, st.Decode)
	}

	// A tile that does not exist: a clear error, and the server carries on.
	_, errOut, err = runCmd(t, "dreamview", d.url, "--tile", "7", "--headless", "--frames", "1")
	if err == nil || !strings.Contains(errOut, "1 to 3") {
		t.Errorf("dreamview --tile 7: err %v, stderr %q; want a failure naming tiles 1 to 3", err, errOut)
	}
	// The server carries on; and once paired, HOST:PORT is enough (the
	// certificate and token were kept).
	hostPort := strings.TrimPrefix(strings.SplitN(d.url, "/?", 2)[0], "https://")
	if _, errOut, err := runCmd(t, "dreamview", hostPort, "--tile", "3", "--headless", "--frames", "1"); err != nil {
		t.Errorf("dreamview HOST:PORT --tile 3 after a bad request: %v\n%s", err, errOut)
	}

	// Ctrl-C stops dreamcomp; its session, the display and the application
	// on it, runs on until dreamcomp --stop.
	display := regexp.MustCompile(`display=(:\d+)`).FindStringSubmatch(d.stderr.String())
	if display == nil {
		t.Fatalf("no display in dreamcomp's output:\n%s", d.stderr)
	}
	windows := xvfbtest.Windows(t, display[1])
	if len(windows) == 0 {
		t.Fatalf("no window on %s: where is dreampattern's?", display[1])
	}
	d.cmd.Process.Signal(os.Interrupt)
	if err := d.wait(t, 10*time.Second); err != nil {
		t.Errorf("dreamcomp after Ctrl-C: %v\n%s", err, d.stderr)
	}
	if !strings.Contains(d.stderr.String(), "the session runs on") {
		t.Errorf("dreamcomp did not say at Ctrl-C that its session runs on:\n%s", d.stderr)
	}
	if got := xvfbtest.Windows(t, display[1]); !slices.Equal(got, windows) {
		t.Errorf("after Ctrl-C the display's windows are %q; want %q, as before", got, windows)
	}
	name := regexp.MustCompile(`session=(\S+)`).FindStringSubmatch(d.stderr.String())[1]
	if out, _, err := runCmd(t, "dreamcomp", "--list-sessions"); err != nil || !strings.Contains(out, name+"\tdisplay "+display[1]) {
		t.Errorf("dreamcomp --list-sessions: %v, %q; want session %s on %s", err, out, name, display[1])
	}
	if _, errOut, err := runCmd(t, "dreamcomp", "--stop", "--session", name); err != nil {
		t.Fatalf("dreamcomp --stop --session %s: %v\n%s", name, err, errOut)
	}
	if _, err := os.Stat("/tmp/.X11-unix/X" + display[1][1:]); err == nil {
		t.Errorf("display %s still has a socket after dreamcomp --stop", display[1])
	}
	if _, errOut, err := runCmd(t, "dreamcomp", "--stop", "--session", name); err == nil || !strings.Contains(errOut, "no such session") {
		t.Errorf("dreamcomp --stop of a stopped session: %v, %q; want a failure saying there is no such session", err, errOut)
	}
}

func TestDreamcompEndsWithItsCommand(t *testing.T) {
	d := startDreamcomp(t, "--tile-size", "64x64", "--listen", "127.0.0.1:0", "--", "sleep", "1")
	if err := d.wait(t, 20*time.Second); err != nil {
		t.Errorf("dreamcomp -- sleep 1: %v; want a clean exit when the command ends\n%s", err, d.stderr)
	}
}

func TestDreamcompDisplayErrors(t *testing.T) {
	_, errOut, err := runCmd(t, "dreamcomp", "--display", ":987", "--listen", "127.0.0.1:0")
	if err == nil || !strings.Contains(errOut, ":987") {
		t.Errorf("dreamcomp --display :987 (no server): err %v, stderr %q; want a failure naming :987", err, errOut)
	}

	// The X server dies under a running dreamcomp.
	x := xvfbtest.StartForTest(t, xvfb.Config{Width: 128, Height: 64})
	d := startDreamcomp(t, "--display", x.Display(), "--listen", "127.0.0.1:0")
	x.Stop()
	err = d.wait(t, 15*time.Second)
	out := strings.Split(strings.TrimSpace(d.stderr.String()), "\n")
	last := out[len(out)-1]
	if err == nil || !strings.HasPrefix(last, "dreamcomp: ") || !strings.Contains(last, x.Display()) {
		t.Errorf("dreamcomp after its display died: err %v, last line %q; want a failure whose message names %s\n%s", err, last, x.Display(), d.stderr)
	}
	t.Logf("dreamcomp says: %s", last)
}

func TestFlagErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		says string
	}{
		{"dreamcomp", []string{"--tile-size", "big"}, "WIDTHxHEIGHT"},
		{"dreamcomp", []string{"--codec", "av1"}, "h264 or vp8"},
		{"dreamcomp", []string{"--span", "0", "--listen", "127.0.0.1:0"}, "--span 0: want 1 to 32"},
		{"dreamcomp", []string{"xterm"}, "after --"},
		{"dreamcomp", []string{"--session", "../up"}, "--session: session name"},
		{"dreamcomp", []string{"--display", ":5", "--session", "a"}, "it has no --session"},
		{"dreamcomp", []string{"--stop", "--session", "none"}, "no session to stop"},
		{"dreamcomp", []string{"--stop", "--session", "never-started"}, "session never-started: no such session"},
		{"dreamview", []string{"--server", "no-such-desk", "--interface", "lo", "--headless"}, `no dreamcomp named "no-such-desk"`},
		{"dreamview", []string{"http://127.0.0.1:1", "--tile", "-1"}, "numbered from 1"},
		{"dreamview", []string{"not a url", "--headless"}, "want HOST:PORT or dreamcomp's pairing URL"},
		{"dreamview", []string{"http://127.0.0.1:1", "--headless"}, "cannot reach http://127.0.0.1:1"},
	} {
		_, errOut, err := runCmd(t, tt.name, tt.args...)
		if err == nil || !strings.Contains(errOut, tt.says) {
			t.Errorf("%s %q: err %v, stderr %q; want a failure saying %q", tt.name, tt.args, err, errOut, tt.says)
		}
	}
}

// syncBuffer collects lines from one goroutine for reading from another.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) WriteLine(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(line + "\n")
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestViewerWindowShowsTile runs dreamview fullscreen (GLFW, OpenGL on Mesa) on a
// display of its own and checks that its screen shows the tile's region of the
// server's display.
func TestViewerWindowShowsTile(t *testing.T) {
	d := startDreamcomp(t, "--span", "2", "--tile-size", "320x240", "--listen", "127.0.0.1:0",
		"--", filepath.Join(bin, "dreampattern"), "--tiles", "2")
	server := regexp.MustCompile(`display=(:\d+)`).FindStringSubmatch(d.stderr.String())[1]
	laptop := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240, GLX: true})
	// The desktop's pointer goes to tile 1, so tile 2's viewer draws no cursor:
	// the desktop's screenshot, compared below, never shows one.
	park := exec.Command("xdotool", "mousemove", "10", "10")
	park.Env = append(os.Environ(), "DISPLAY="+server)
	if out, err := park.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v\n%s", err, out)
	}

	viewErr, exited := startWindow(t, laptop.Display(), d.url, "--tile", "2")

	// The pattern may still be drawing when the first frame goes out: compare
	// until the screens agree or time runs out.
	var best float64
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		want := xvfbtest.Screenshot(t, server).SubImage(image.Rect(320, 0, 640, 240)).(*image.RGBA)
		got := xvfbtest.Screenshot(t, laptop.Display())
		if best = max(best, psnrRGB(got, want)); best >= 50 {
			break
		}
	}
	// The window is the tile's size: its exact pixels show as they are.
	if best < 50 {
		t.Fatalf("viewer window never matched tile 2 (best %.1f dB; want ≥ 50: exact pixels)\n%s", best, viewErr.String())
	}
	t.Logf("viewer window matches tile 2 at %.1f dB", best)

	// Ctrl+Alt+S shows the statistics overlay in the top-left corner, and hides it.
	corner := image.Rect(0, 0, 120, 40)
	cornerPSNR := func() float64 {
		want := xvfbtest.Screenshot(t, server).SubImage(corner.Add(image.Pt(320, 0))).(*image.RGBA)
		got := xvfbtest.Screenshot(t, laptop.Display()).SubImage(corner).(*image.RGBA)
		return psnrRGB(got, want)
	}
	laptopKey := func(keys string) {
		cmd := exec.Command("xdotool", "key", keys)
		cmd.Env = append(os.Environ(), "DISPLAY="+laptop.Display())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("xdotool: %v\n%s", err, out)
		}
	}
	laptopKey("ctrl+alt+s")
	waitFor(t, 5*time.Second, "the overlay over the top-left corner", func() bool { return cornerPSNR() < 15 })
	laptopKey("ctrl+alt+s")
	waitFor(t, 5*time.Second, "the overlay gone", func() bool { return cornerPSNR() >= 25 })

	// A monitor that does not exist is a clear error.
	bad := exec.Command(filepath.Join(bin, "dreamview"), d.url, "--tile", "2", "--monitor", "3")
	bad.Env = append(os.Environ(), "DISPLAY="+laptop.Display())
	if out, err := bad.CombinedOutput(); err == nil || !strings.Contains(string(out), "no monitor 3") {
		t.Errorf("dreamview --monitor 3 with one monitor: %v, %q; want a failure saying there is no monitor 3", err, out)
	}

	// Ctrl+Alt+Shift+Q leaves the fullscreen viewer.
	key := exec.Command("xdotool", "mousemove", "160", "120", "key", "ctrl+alt+shift+q")
	key.Env = append(os.Environ(), "DISPLAY="+laptop.Display())
	if out, err := key.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v\n%s", err, out)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("dreamview after Ctrl+Alt+Shift+Q: %v\n%s", err, viewErr.String())
		}
	case <-time.After(5 * time.Second):
		t.Errorf("dreamview still running 5 s after Ctrl+Alt+Shift+Q")
	}
}

// psnrRGB compares two images of the same size over R, G and B.
func psnrRGB(a, b *image.RGBA) float64 {
	if a.Bounds().Size() != b.Bounds().Size() {
		return 0
	}
	var sse float64
	w, h := a.Bounds().Dx(), a.Bounds().Dy()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			ca, cb := a.RGBAAt(a.Rect.Min.X+x, a.Rect.Min.Y+y), b.RGBAAt(b.Rect.Min.X+x, b.Rect.Min.Y+y)
			for _, d := range []float64{float64(ca.R) - float64(cb.R), float64(ca.G) - float64(cb.G), float64(ca.B) - float64(cb.B)} {
				sse += d * d
			}
		}
	}
	if sse == 0 {
		return 99
	}
	return 10 * math.Log10(255*255*float64(3*w*h)/sse)
}

// TestPairing: the pairing URL pairs; without a token a viewer gets nothing; a
// view-only URL plays; the token and certificate are kept across restarts; a
// viewer refuses a server whose certificate changed.
func TestPairing(t *testing.T) {
	keysDir, otherKeys := filepath.Join(t.TempDir(), "keys"), filepath.Join(t.TempDir(), "keys")
	servers := filepath.Join(t.TempDir(), "servers")
	name := fmt.Sprintf("pairing-test-%d", os.Getpid())
	d := startDreamcomp(t, "--tile-size", "128x64", "--listen", "127.0.0.1:0", "--keys-dir", keysDir, "--view-only-token", "--name", name)
	var viewURL []string
	waitFor(t, 5*time.Second, "the view-only pairing URL's file in dreamcomp's log", func() bool {
		m := regexp.MustCompile(`view_url_in=(\S+)`).FindStringSubmatch(d.stderr.String())
		if m != nil {
			b, _ := os.ReadFile(m[1])
			viewURL = []string{"", strings.TrimSpace(string(b))}
		}
		return m != nil
	})
	if strings.Contains(d.stderr.String(), "token=") {
		t.Errorf("a token is in dreamcomp's log (not a terminal):\n%s", d.stderr)
	}
	hostPort := strings.TrimPrefix(strings.SplitN(d.url, "/?", 2)[0], "https://")

	// Never paired, no token: refused, nothing shown.
	_, errOut, err := runCmd(t, "dreamview", hostPort, "--servers", servers, "--headless", "--frames", "1", "--tile", "1")
	if err == nil || !strings.Contains(errOut, "401") || !strings.Contains(errOut, "pairing URL") {
		t.Errorf("dreamview without a token: %v\n%s\nwant a 401 that points to the pairing URL", err, errOut)
	}
	// The view-only URL plays (its input would be dropped: see stream's
	// TestTokens). A still desktop sends one frame to a new viewer.
	watcher := filepath.Join(t.TempDir(), "servers") // another laptop's pairings
	if _, errOut, err := runCmd(t, "dreamview", viewURL[1], "--servers", watcher, "--headless", "--frames", "1"); err != nil {
		t.Errorf("dreamview with the view-only URL: %v\n%s", err, errOut)
	}
	// Found on the network (multicast DNS, from another process), but not
	// paired yet: listed as such, and not played.
	out, errOut, err := runCmd(t, "dreamview", "--list", "--interface", "lo", "--servers", servers)
	if err != nil || !strings.Contains(out, name+"\t"+hostPort+"\ttiles 1 (128x64*1)\tnot paired") {
		t.Errorf("dreamview --list: %v\n%s%s\nwant %s at %s, not paired", err, out, errOut, name, hostPort)
	}
	if _, errOut, err := runCmd(t, "dreamview", "--server", name, "--interface", "lo", "--servers", servers, "--headless", "--frames", "1"); err == nil || !strings.Contains(errOut, "not paired") {
		t.Errorf("dreamview --server %s before pairing: %v\n%s\nwant a refusal saying to pair", name, err, errOut)
	}
	// The pairing URL pairs; then HOST:PORT alone plays, and so does the name
	// alone (found on the network; the first tile nobody views).
	for _, args := range [][]string{{d.url}, {hostPort}, {"--server", name, "--interface", "lo"}} {
		args = append(args, "--servers", servers, "--headless", "--frames", "1")
		if _, errOut, err := runCmd(t, "dreamview", args...); err != nil {
			t.Errorf("dreamview %q: %v\n%s", args, err, errOut)
		}
	}
	if out, _, _ := runCmd(t, "dreamview", "--list", "--interface", "lo", "--servers", servers); !strings.Contains(out, name+"\t"+hostPort+"\ttiles 1 (128x64*1)\tpaired") {
		t.Errorf("dreamview --list after pairing:\n%s\nwant %s paired", out, name)
	}
	d.cmd.Process.Signal(os.Interrupt)
	d.wait(t, 10*time.Second)

	// Restarted on the same port with the same keys: the same pairing URL.
	again := startDreamcomp(t, "--tile-size", "128x64", "--listen", hostPort, "--keys-dir", keysDir)
	if again.url != d.url {
		t.Errorf("after a restart the pairing URL is %s; want %s (token and certificate kept)", again.url, d.url)
	}
	again.cmd.Process.Signal(os.Interrupt)
	again.wait(t, 10*time.Second)

	// Another certificate at that address: the paired viewer refuses it, and
	// says what to do.
	startDreamcomp(t, "--tile-size", "128x64", "--listen", hostPort, "--keys-dir", otherKeys)
	_, errOut, err = runCmd(t, "dreamview", hostPort, "--servers", servers, "--headless", "--frames", "1")
	if err == nil || !strings.Contains(errOut, "certificate of "+hostPort+" changed") || !strings.Contains(errOut, "pair again") {
		t.Errorf("dreamview against another certificate: %v\n%s\nwant a refusal saying the certificate changed", err, errOut)
	}
}

// TestFreeTile: with no --tile, dreamview plays the first tile nobody views.
func TestFreeTile(t *testing.T) {
	d := startDreamcomp(t, "--span", "2", "--tile-size", "128x64", "--listen", "127.0.0.1:0")
	first := exec.Command(filepath.Join(bin, "dreamview"), d.url, "--tile", "1", "--headless")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { first.Process.Kill(); first.Wait() }()
	waitFor(t, 10*time.Second, "a viewer on tile 1", func() bool { return strings.Contains(d.stderr.String(), `viewer connected" tile=1`) })
	_, errOut, err := runCmd(t, "dreamview", d.url, "--headless", "--frames", "1")
	if err != nil || !strings.Contains(errOut, "playing the first tile nobody views") || !strings.Contains(errOut, "tile=2") {
		t.Errorf("dreamview with no --tile while tile 1 is viewed: %v\n%s\nwant it to play tile 2", err, errOut)
	}
}

// TestSystemdUnit: the repository's user unit runs dreamcomp with flags it
// accepts, and stops only dreamcomp, so that a restart keeps the session.
func TestSystemdUnit(t *testing.T) {
	unit, err := os.ReadFile("../../contrib/systemd/dreamcomp.service")
	if err != nil {
		t.Fatal(err)
	}
	var exec []string
	for _, line := range strings.Split(string(unit), "\n") {
		if v, ok := strings.CutPrefix(line, "ExecStart="); ok {
			exec = strings.Fields(v)
		}
	}
	if len(exec) == 0 || filepath.Base(exec[0]) != "dreamcomp" {
		t.Fatalf("the unit's ExecStart is %q; want dreamcomp", exec)
	}
	if _, err := parseFlags(exec[1:]); err != nil {
		t.Errorf("the unit's ExecStart %q: %v", exec, err)
	}
	for _, want := range []string{"KillMode=process", "Restart=always", "WantedBy=default.target"} {
		if !strings.Contains(string(unit), "\n"+want+"\n") {
			t.Errorf("the unit has no %s", want)
		}
	}
}

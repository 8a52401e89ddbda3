package inject

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"runtime"
	"slices"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dream/internal/keysym"
	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

const (
	xkShift = 0xffe1
)

// openForTest opens an Injector on display and closes it when t ends.
func openForTest(t *testing.T, display string) *Injector {
	t.Helper()
	in, err := Open(Config{Display: display})
	if err != nil {
		t.Fatalf("Open(%s): %v", display, err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

// startXterm runs xterm at the top left of display with cat copying what is
// typed into a file, waits until its window is visible, and returns the
// file's path.
func startXterm(t *testing.T, display string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "typed")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "xterm", "-u8", "-geometry", "60x10+0+0", "-e", "sh", "-c", "exec cat > "+out)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LC_ALL=C.UTF-8")
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start xterm: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		find := exec.Command("xdotool", "search", "--onlyvisible", "--class", "xterm")
		find.Env = append(os.Environ(), "DISPLAY="+display)
		if ids, err := find.Output(); err == nil && len(strings.TrimSpace(string(ids))) > 0 {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("xterm window did not appear on %s within 15 s", display)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitLines waits until file holds n lines and returns them.
func waitLines(t *testing.T, file string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(file)
		if strings.Count(string(b), "\n") >= n {
			return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %q after 10 s; want %d lines", file, b, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type keyEvent struct {
	ks   uint32
	down bool
}

// tap is a press and release of ks.
func tap(ks uint32) []keyEvent { return []keyEvent{{ks, true}, {ks, false}} }

// shifted is ks typed with Shift held, as a US-layout viewer sends it.
func shifted(ks uint32) []keyEvent {
	return []keyEvent{{xkShift, true}, {ks, true}, {ks, false}, {xkShift, false}}
}

func sendKeys(t *testing.T, c *Client, evs ...[]keyEvent) {
	t.Helper()
	for _, ev := range evs {
		for _, e := range ev {
			if err := c.Key(e.ks, e.down); err != nil {
				t.Fatalf("Key(%#x, %v) = %v", e.ks, e.down, err)
			}
		}
	}
}

// TestTyping types into a real X client: xterm, running cat into a file.
// Each subtest types one line.
func TestTyping(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 480})
	file := startXterm(t, srv.Display())
	in := openForTest(t, srv.Display())
	c := in.NewClient()
	if err := c.Move(100, 60); err != nil { // no window manager: focus follows the pointer
		t.Fatalf("Move: %v", err)
	}
	lines := 0
	expect := func(t *testing.T, want string) {
		t.Helper()
		lines++
		got := waitLines(t, file, lines)
		if got[lines-1] != want {
			t.Errorf("line %d typed = %q; want %q", lines, got[lines-1], want)
		}
	}

	t.Run("USViewer", func(t *testing.T) {
		// é, € and ß are not on the server's US keymap: each is bound to a
		// spare keycode, and the first press after the rebind must already
		// type the new symbol.
		var line []keyEvent
		for _, r := range "hello " {
			line = append(line, tap(uint32(r))...)
		}
		line = append(line, shifted('W')...)
		for _, r := range "orld 1" {
			line = append(line, tap(uint32(r))...)
		}
		line = append(line, shifted('!')...)
		line = append(line, tap(0xe9)...)   // eacute
		line = append(line, tap(0x20ac)...) // EuroSign
		line = append(line, tap(0xdf)...)   // ssharp
		sendKeys(t, c, line)
		if err := c.Text("é€ß\n"); err != nil {
			t.Fatalf("Text: %v", err)
		}
		expect(t, "hello World 1!é€ßé€ß")
	})

	t.Run("ModifierMismatch", func(t *testing.T) {
		// On AZERTY "1" is shifted: the viewer holds Shift and sends keysym
		// 1; the server must type "1", not "!". "A" with no Shift held is
		// still "A", and Shift stays held for what follows.
		sendKeys(t, c, []keyEvent{{xkShift, true}, {'1', true}, {'1', false}}, tap('A'), tap('a'), tap('2'),
			[]keyEvent{{xkShift, false}}, tap(keysym.Return))
		expect(t, "1Aa2")
	})

	t.Run("Text", func(t *testing.T) {
		if err := c.Text("Hello, wörld ™!\r\n"); err != nil {
			t.Fatalf("Text: %v", err)
		}
		expect(t, "Hello, wörld ™!")
	})

	t.Run("SpareReuse", func(t *testing.T) {
		// More characters missing from the keymap than there are spare
		// keycodes: spares are rebound while xterm may still be reading
		// the key events of their previous binding.
		const cyrillic = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
		if n := len([]rune(cyrillic)); n <= len(in.spares) {
			t.Fatalf("%d characters do not exhaust %d spare keycodes", n, len(in.spares))
		}
		if err := c.Text(cyrillic + "\n"); err != nil {
			t.Fatalf("Text: %v", err)
		}
		expect(t, cyrillic)
	})

	t.Run("Level3", func(t *testing.T) {
		// Another client loads a keymap with EuroSign and cent on AltGr+e
		// and AltGr+Shift+e: the Injector reloads it, and types them with
		// level 3 (and Shift) rather than spare keycodes.
		setLevel3(t, srv.Display())
		waitStale(t, in)
		sendKeys(t, c, tap(0x20ac), tap(0xa2), tap('e'),
			// The viewer holds AltGr and sends e: level 3 must be let go.
			[]keyEvent{{keysym.Level3Shift, true}, {'e', true}, {'e', false}, {0x20ac, true}, {0x20ac, false}, {keysym.Level3Shift, false}},
			tap(keysym.Return))
		expect(t, "€¢ee€")
		for _, s := range in.spares {
			if s.ks == 0xa2 {
				t.Errorf("cent was bound to spare keycode %d; want it typed with AltGr+Shift+e", s.kc)
			}
		}
	})

	t.Run("Autorepeat", func(t *testing.T) {
		// Holding AZERTY's "1" (Shift held, keysym 1) for a while: the
		// server's autorepeat must repeat "1", not "!". Repeated presses
		// from the viewer do not add repeats.
		sendKeys(t, c, []keyEvent{{xkShift, true}, {'1', true}})
		for range 10 {
			time.Sleep(100 * time.Millisecond)
			sendKeys(t, c, []keyEvent{{'1', true}})
		}
		sendKeys(t, c, []keyEvent{{'1', false}, {xkShift, false}}, tap(keysym.Return))
		lines++
		got := waitLines(t, file, lines)[lines-1]
		t.Logf("held 1 s: %q", got)
		if strings.Trim(got, "1") != "" || got == "" {
			t.Errorf("holding keysym 1 with Shift typed %q; want only 1s", got)
		}
	})
}

// setLevel3 gives the e key (<AD03>) EuroSign and cent at levels 3 and 4
// (AltGr+e, AltGr+Shift+e), as on many European layouts, by loading a
// changed copy of the server's XKB keymap with xkbcomp.
func setLevel3(t *testing.T, display string) {
	t.Helper()
	dump := exec.Command("xkbcomp", display, "-")
	dump.Env = append(os.Environ(), "DISPLAY="+display)
	km, err := dump.Output()
	if err != nil {
		t.Fatalf("xkbcomp %s -: %v", display, err)
	}
	key := regexp.MustCompile(`(?s)key <AD03> \{.*?\};`)
	if !key.Match(km) {
		t.Fatalf("no key <AD03> in the keymap of %s", display)
	}
	km = key.ReplaceAll(km, []byte(`key <AD03> { type= "FOUR_LEVEL_SEMIALPHABETIC", symbols[Group1]= [ e, E, EuroSign, cent ] };`))
	load := exec.Command("xkbcomp", "-w", "0", "-", display)
	load.Stdin = bytes.NewReader(km)
	if out, err := load.CombinedOutput(); err != nil {
		t.Fatalf("xkbcomp - %s: %v\n%s", display, err, out)
	}
}

// waitStale waits until in has seen another client's MappingNotify.
func waitStale(t *testing.T, in *Injector) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !in.stale.Load() {
		if time.Now().After(deadline) {
			t.Fatal("no MappingNotify within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestPointer: Move puts the pointer where asked, clamped to the screen.
func TestPointer(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 480})
	in := openForTest(t, srv.Display())
	if w, h := in.Size(); w != 640 || h != 480 {
		t.Errorf("Size() = %d, %d; want 640, 480", w, h)
	}
	c := in.NewClient()
	for _, tc := range []struct{ x, y, wantX, wantY int }{
		{123, 45, 123, 45},
		{-5, 99999, 0, 479},
		{640, -1, 639, 0},
		{639, 479, 639, 479},
	} {
		if err := c.Move(tc.x, tc.y); err != nil {
			t.Fatalf("Move(%d, %d) = %v", tc.x, tc.y, err)
		}
		x, y, err := in.Pointer()
		if err != nil || x != tc.wantX || y != tc.wantY {
			t.Errorf("Move(%d, %d); Pointer() = %d, %d, %v; want %d, %d", tc.x, tc.y, x, y, err, tc.wantX, tc.wantY)
		}
	}
}

// TestClientClose: a closed client releases what it held and refuses what comes
// after (a hung-up viewer's last messages).
func TestClientClose(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 480})
	in := openForTest(t, srv.Display())
	c := in.NewClient()
	if err := c.Key('x', true); err != nil {
		t.Fatal(err)
	}
	if err := c.Button(2, true); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Key('y', true); !errors.Is(err, ErrClosed) {
		t.Errorf("Key after Close = %v; want ErrClosed", err)
	}
	if err := c.Button(1, true); !errors.Is(err, ErrClosed) {
		t.Errorf("Button after Close = %v; want ErrClosed", err)
	}
	if keys, buttons := serverDown(t, srv.Display()); len(keys) != 0 || buttons != 0 {
		t.Errorf("after Close: keys %v, buttons %#x down; want none", keys, buttons)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestMoveBy(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 480})
	in := openForTest(t, srv.Display())
	c := in.NewClient()
	if err := c.Move(600, 100); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ dx, dy, wantX, wantY int }{
		{30, 5, 630, 105},
		{100, 0, 639, 105}, // the screen's edge stops it
		{-639, -200, 0, 0},
		{0, 0, 0, 0},
	} {
		if err := c.MoveBy(tc.dx, tc.dy); err != nil {
			t.Fatalf("MoveBy(%d, %d) = %v", tc.dx, tc.dy, err)
		}
		x, y, err := in.Pointer()
		if err != nil || x != tc.wantX || y != tc.wantY {
			t.Errorf("MoveBy(%d, %d); Pointer() = %d, %d, %v; want %d, %d", tc.dx, tc.dy, x, y, err, tc.wantX, tc.wantY)
		}
	}
}

// serverDown returns the keycodes and the pointer buttons (mask bits) down
// on the server, read on a connection of its own.
func serverDown(t *testing.T, display string) (keys []xproto.Keycode, buttons uint16) {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatalf("connect to %s: %v", display, err)
	}
	defer conn.Close()
	km, err := xproto.QueryKeymap(conn).Reply()
	if err != nil {
		t.Fatalf("QueryKeymap: %v", err)
	}
	for i, b := range km.Keys {
		for bit := range 8 {
			if b&(1<<bit) != 0 {
				keys = append(keys, xproto.Keycode(i*8+bit))
			}
		}
	}
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	p, err := xproto.QueryPointer(conn, root).Reply()
	if err != nil {
		t.Fatalf("QueryPointer: %v", err)
	}
	const allButtons = xproto.KeyButMaskButton1 | xproto.KeyButMaskButton2 | xproto.KeyButMaskButton3 |
		xproto.KeyButMaskButton4 | xproto.KeyButMaskButton5
	return keys, p.Mask & allButtons
}

// TestReleaseAll: what a viewer holds when it loses focus or disconnects is
// released, and nothing stays pressed on the server; a key two viewers hold
// stays down until both let go.
func TestReleaseAll(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 480})
	in := openForTest(t, srv.Display())
	a, b := in.NewClient(), in.NewClient()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.Key(keysym.ShiftL, true))
	must(a.Key('1', true))  // Shift let go while 1 is down
	must(a.Key(0xe9, true)) // eacute: a spare keycode
	must(a.Key('x', true))
	must(a.Button(1, true))
	must(a.Button(3, true))
	must(b.Key('x', true))
	must(b.Button(3, true))
	must(a.Wheel(-130, 250)) // clicks of buttons 6 and 5, none left down
	if keys, buttons := serverDown(t, srv.Display()); len(keys) != 4 || buttons != xproto.KeyButMaskButton1|xproto.KeyButMaskButton3 {
		t.Fatalf("before ReleaseAll: keys %v, buttons %#x down; want 4 (Shift, 1, eacute, x) and buttons 1, 3", keys, buttons)
	}

	must(a.ReleaseAll())
	keys, buttons := serverDown(t, srv.Display())
	xk := in.km.find('x', nil)[0]
	if len(keys) != 1 || keys[0] != xk || buttons != xproto.KeyButMaskButton3 {
		t.Errorf("after a.ReleaseAll: keys %v, buttons %#x down; want b's x (%d) and button 3", keys, buttons, xk)
	}
	must(b.ReleaseAll())
	if keys, buttons := serverDown(t, srv.Display()); len(keys) != 0 || buttons != 0 {
		t.Errorf("after both ReleaseAll: keys %v, buttons %#x down; want none", keys, buttons)
	}
	// Releases after ReleaseAll are ignored, not sent.
	must(a.Key('x', false))
	must(a.Button(1, false))
}

// TestBadInput: input that cannot be applied is refused before it reaches
// the server, and the connection keeps working.
func TestBadInput(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 480})
	in := openForTest(t, srv.Display())
	c := in.NewClient()
	for name, err := range map[string]error{
		"Key(0, true)":       c.Key(0, true),
		"Key(0, false)":      c.Key(0, false),
		"Button(0, true)":    c.Button(0, true),
		"Button(10, true)":   c.Button(10, true),
		"Button(255, false)": c.Button(255, false),
		`Text("a\x01b")`:     c.Text("a\x01b"),
		`Text("\xff")`:       c.Text("\xff"),
		`Text("x\x1b[A")`:    c.Text("x\x1b[A"),
	} {
		if !errors.Is(err, ErrBadInput) {
			t.Errorf("%s = %v; want ErrBadInput", name, err)
		}
	}
	if keys, _ := serverDown(t, srv.Display()); len(keys) != 0 {
		t.Errorf("keys %v down after bad input; want none", keys)
	}
	if err := c.Move(10, 20); err != nil {
		t.Fatalf("Move after bad input: %v", err)
	}
	if x, y, err := in.Pointer(); err != nil || x != 10 || y != 20 {
		t.Errorf("Pointer() after bad input = %d, %d, %v; want 10, 20", x, y, err)
	}
	if err := c.Key('a', true); err != nil {
		t.Errorf("Key after bad input: %v", err)
	}
	if err := c.ReleaseAll(); err != nil {
		t.Errorf("ReleaseAll: %v", err)
	}
}

// TestCloseRestores: Close unbinds the spare keycodes it bound, so the
// server's keymap is as it found it, and later use is ErrClosed.
func TestCloseRestores(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 480})
	before := keymapOf(t, srv.Display())
	goroutines := runtime.NumGoroutine()
	in := openForTest(t, srv.Display())
	c := in.NewClient()
	if err := c.Text("é€ß"); err != nil {
		t.Fatalf("Text: %v", err)
	}
	if err := c.Key(0x1000416, true); err != nil { // Ж, held down at Close
		t.Fatalf("Key: %v", err)
	}
	bound := keymapOf(t, srv.Display())
	if n := countDiff(before, bound); n != 4 {
		t.Errorf("%d keycodes changed after binding 4 keysyms; want 4", n)
	}
	if err := in.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for deadline := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > goroutines; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("%d goroutines after Close; want %d as before Open", runtime.NumGoroutine(), goroutines)
			break
		}
	}
	if n := countDiff(before, keymapOf(t, srv.Display())); n != 0 {
		t.Errorf("%d keycodes still changed after Close; want 0", n)
	}
	if keys, _ := serverDown(t, srv.Display()); len(keys) != 0 {
		t.Errorf("keys %v down after Close; want none", keys)
	}
	if err := c.Key('a', true); !errors.Is(err, ErrClosed) {
		t.Errorf("Key after Close = %v; want ErrClosed", err)
	}
	if err := in.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// keymapOf reads display's keyboard mapping, keycode by keycode.
func keymapOf(t *testing.T, display string) [][]xproto.Keysym {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatalf("connect to %s: %v", display, err)
	}
	defer conn.Close()
	s := xproto.Setup(conn)
	n := int(s.MaxKeycode) - int(s.MinKeycode) + 1
	r, err := xproto.GetKeyboardMapping(conn, s.MinKeycode, byte(n)).Reply()
	if err != nil {
		t.Fatalf("GetKeyboardMapping: %v", err)
	}
	per := int(r.KeysymsPerKeycode)
	out := make([][]xproto.Keysym, n)
	for i := range out {
		out[i] = r.Keysyms[i*per : (i+1)*per]
	}
	return out
}

func countDiff(a, b [][]xproto.Keysym) int {
	n := 0
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			n++
		}
	}
	return n
}

// TestWheelSteps: fractions of a notch add up, and are dropped when the
// direction turns.
func TestWheelSteps(t *testing.T) {
	acc := 0
	for _, tc := range []struct{ d, want, acc int }{
		{60, 0, 60}, {60, 1, 0}, {250, 2, 10}, {-30, 0, -30}, {-100, -1, -10}, {0, 0, -10}, {-110, -1, 0}, {1200, 10, 0},
	} {
		if got := wheelStep(&acc, tc.d); got != tc.want || acc != tc.acc {
			t.Errorf("wheelStep(%d) = %d, remainder %d; want %d, %d", tc.d, got, acc, tc.want, tc.acc)
		}
	}
}

// TestOpenNoServer: the error names the display and says what is wrong.
func TestOpenNoServer(t *testing.T) {
	_, err := Open(Config{Display: ":987654"})
	if err == nil || !strings.Contains(err.Error(), ":987654") || !strings.Contains(err.Error(), "no X server there") {
		t.Errorf("Open(:987654) = %v; want an error naming the display and saying no X server is there", err)
	}
}

// TestServerGone: when the X server exits, calls fail promptly with
// ErrDisplayLost instead of hanging, and Close still returns.
func TestServerGone(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 480})
	in := openForTest(t, srv.Display())
	c := in.NewClient()
	if err := c.Key('a', true); err != nil {
		t.Fatalf("Key: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("stop Xvfb: %v", err)
	}
	start := time.Now()
	err := c.Key('a', false)
	if err == nil { // the release may be written before the socket is seen closed
		err = c.Move(1, 1)
	}
	if !errors.Is(err, ErrDisplayLost) || !strings.Contains(err.Error(), srv.Display()) {
		t.Errorf("input after the server exited = %v; want ErrDisplayLost naming %s", err, srv.Display())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("failing took %v; want well under the 5 s reply timeout", d)
	}
	if err := in.Close(); err != nil {
		t.Errorf("Close after the server exited = %v; want nil", err)
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dream/inputd/client"
	"dream/internal/barriertest"
	"dream/internal/discovery"
	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

var bin string // the directory with the built commands

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dreaminput-bin-")
	if err != nil {
		panic(err)
	}
	build := exec.Command("go", "build", "-o", dir+"/", ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		panic("building dreaminput: " + err.Error())
	}
	bin = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// twoScreens is srv (dreaminput server's own screen) with cli beyond its right
// edge, and hotkeys to jump between them.
const twoScreens = barriertest.TwoScreens + `section: options
	keystroke(Control+Alt+Right) = switchToScreen(cli)
	keystroke(Control+Alt+Left) = switchInDirection(left)
end
`

// process is a running command whose log the test reads.
type process struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  bytes.Buffer
	done chan error
}

func start(t *testing.T, name string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(filepath.Join(bin, name), args...), done: make(chan error, 1)}
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go p.collect(pipe)
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			t.Errorf("%s did not stop within 10 s of SIGTERM", name)
		}
	})
	return p
}

// collect reads the process's output into its log until it exits.
func (p *process) collect(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		p.mu.Lock()
		p.log.WriteString(sc.Text() + "\n")
		p.mu.Unlock()
	}
	p.done <- p.cmd.Wait()
}

func (p *process) said(text string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Contains(p.log.String(), text)
}

func (p *process) waitFor(t *testing.T, within time.Duration, text string) {
	t.Helper()
	for deadline := time.Now().Add(within); !p.said(text); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			p.mu.Lock()
			defer p.mu.Unlock()
			t.Fatalf("did not say %q within %v; said:\n%s", text, within, p.log.String())
		}
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func writeConfig(t *testing.T, conf string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dream.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// pointerAt waits until display's pointer is at x, y.
func pointerAt(t *testing.T, display string, x, y int) {
	t.Helper()
	var px, py int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if px, py, _ = xvfbtest.Pointer(t, display); px == x && py == y {
			return
		}
	}
	t.Fatalf("pointer of %s at %d,%d; want %d,%d", display, px, py, x, y)
}

// buttonHeld waits until display's left button is (or is not) held.
func buttonHeld(t *testing.T, display string, held bool) {
	t.Helper()
	const button1Mask = 0x100
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, _, mask := xvfbtest.Pointer(t, display); (mask&button1Mask != 0) == held {
			return
		}
	}
	t.Fatalf("left button on %s held: want %v", display, held)
}

// TestServerDrivesBarrierc: dreaminput server shares its display's keyboard
// and mouse (driven through XTEST, as a real device) with a real barrierc.
func TestServerDrivesBarrierc(t *testing.T) {
	t.Run("plain", func(t *testing.T) { testServerDrivesBarrierc(t, false) })
	t.Run("TLS", func(t *testing.T) { testServerDrivesBarrierc(t, true) })
}

func testServerDrivesBarrierc(t *testing.T, withTLS bool) {
	srvX := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 480})
	cliX := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240})
	srv, cli := srvX.Display(), cliX.Display()
	srvTerm := xvfbtest.StartTerminal(t, srv, "100x34") // under the hidden pointer at the centre too
	cliTerm := xvfbtest.StartTerminal(t, cli, "40x10")
	var cliClicks *process
	if !withTLS {
		cliClicks = startXev(t, cli, "80x80+240+150")
	}

	addr := freePort(t)
	args := []string{"server", "--config", writeConfig(t, twoScreens), "--name", "srv", "--display", srv, "--address", addr}
	cliProfile := ""
	if withTLS {
		// Each side pins the other's certificate, as Barrier's users do.
		profile := client.Profile{Dir: t.TempDir()}
		cert, err := profile.Certificate()
		if err != nil {
			t.Fatal(err)
		}
		cliProfile = t.TempDir()
		barriercFP := barriertest.Profile(t, cliProfile, client.Fingerprint(cert.Certificate[0]))
		args = append(args, "--profile-dir", profile.Dir, "--trust-client", barriercFP)
	} else {
		args = append(args, "--disable-crypto")
	}
	server := start(t, "dreaminput", args...)
	server.waitFor(t, 10*time.Second, "watching the keyboard and mouse")
	barriertest.Client(t, cli, "cli", addr, cliProfile)
	server.waitFor(t, 10*time.Second, "screen connected")

	// Something copied on srv before crossing, in both selections.
	xvfbtest.Copy(t, srv, "clipboard", "copied on srv ✓\nline two")
	xvfbtest.Copy(t, srv, "primary", "selected on srv")

	// Push the pointer against srv's right edge: it comes out on cli's left
	// edge at the same height (100 of 480 is 50 of 240).
	xvfbtest.Xdotool(t, srv, "mousemove", "630", "100")
	xvfbtest.Xdotool(t, srv, "mousemove_relative", "--", "20", "0")
	pointerAt(t, cli, 0, 50)
	xvfbtest.Pasted(t, cli, "clipboard", "copied on srv ✓\nline two")
	xvfbtest.Pasted(t, cli, "primary", "selected on srv")
	// Copied on cli: srv has it once the pointer is back.
	xvfbtest.Copy(t, cli, "clipboard", "copied on cli")
	xvfbtest.Xdotool(t, srv, "mousemove_relative", "--", "60", "-20")
	pointerAt(t, cli, 60, 30)

	xvfbtest.Xdotool(t, srv, "type", "--delay", "20", "Hi there, 42!")
	xvfbtest.Xdotool(t, srv, "key", "Return")
	if got := cliTerm.Line(t); got != "Hi there, 42!" {
		t.Errorf("cli's terminal got %q; want %q", got, "Hi there, 42!")
	}
	if !withTLS {
		testButtonsAndHotkeys(t, srv, cli, cliTerm, cliClicks)
	}
	// Back across cli's left edge: srv's pointer appears on its right edge
	// (30 of 240 is 60 of 480), and the keyboard is srv's again.
	xvfbtest.Xdotool(t, srv, "mousemove_relative", "--", "-100", "0")
	pointerAt(t, srv, 639, 60)
	xvfbtest.Pasted(t, srv, "clipboard", "copied on cli")
	xvfbtest.Xdotool(t, srv, "mousemove", "20", "20") // over srv's terminal
	xvfbtest.Xdotool(t, srv, "type", "--delay", "20", "home")
	xvfbtest.Xdotool(t, srv, "key", "Return")
	if got := srvTerm.Line(t); got != "home" {
		t.Errorf("srv's terminal got %q; want %q (what was typed while cli had the keyboard must not reach it)", got, "home")
	}
}

// testButtonsAndHotkeys runs with the pointer at 60,30 on cli.
func testButtonsAndHotkeys(t *testing.T, srv, cli string, cliTerm *xvfbtest.Terminal, cliClicks *process) {
	// Clicks and the wheel reach an X client on cli (xev, at 240,150).
	xvfbtest.Xdotool(t, srv, "mousemove_relative", "--", "210", "150")
	pointerAt(t, cli, 270, 180)
	for _, b := range []string{"1", "3", "4", "5"} {
		xvfbtest.Xdotool(t, srv, "click", b)
		cliClicks.waitFor(t, 5*time.Second, "state 0x0, button "+b+",")
	}
	xvfbtest.Xdotool(t, srv, "mousemove_relative", "--", "-210", "-150")
	pointerAt(t, cli, 60, 30)

	// A held button reaches cli; a drag does not leave it.
	xvfbtest.Xdotool(t, srv, "mousedown", "1")
	buttonHeld(t, cli, true)
	xvfbtest.Xdotool(t, srv, "mousemove_relative", "--", "-100", "0")
	pointerAt(t, cli, 0, 30)
	xvfbtest.Xdotool(t, srv, "mouseup", "1")
	buttonHeld(t, cli, false)
	xvfbtest.Xdotool(t, srv, "mousemove_relative", "--", "60", "0")
	pointerAt(t, cli, 60, 30)

	// Hotkeys: Control+Alt+Left (switchInDirection(left)) brings the pointer
	// home to srv's centre; Control+Alt+Right (switchToScreen(cli)) sends it to
	// cli's centre. Neither reaches a terminal.
	xvfbtest.Xdotool(t, srv, "key", "ctrl+alt+Left")
	pointerAt(t, srv, 320, 240)
	xvfbtest.Xdotool(t, srv, "key", "ctrl+alt+Right")
	pointerAt(t, cli, 160, 120)
	xvfbtest.Xdotool(t, srv, "mousemove_relative", "--", "-100", "-90")
	pointerAt(t, cli, 60, 30)
	xvfbtest.Xdotool(t, srv, "type", "--delay", "20", "again")
	xvfbtest.Xdotool(t, srv, "key", "Return")
	if got := cliTerm.Line(t); got != "again" {
		t.Errorf("cli's terminal got %q after the hotkeys; want %q", got, "again")
	}
}

// startXev runs xev on display, at geometry, reporting button events to the
// returned process's log.
func startXev(t *testing.T, display, geometry string) *process {
	t.Helper()
	p := &process{cmd: exec.Command("xev", "-event", "button", "-geometry", geometry), done: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("xev: %v", err)
	}
	go p.collect(out)
	t.Cleanup(func() { p.cmd.Process.Kill(); <-p.done })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		find := exec.Command("xdotool", "search", "--onlyvisible", "--name", "Event Tester")
		find.Env = p.cmd.Env
		if out, _ := find.Output(); len(bytes.TrimSpace(out)) > 0 {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatal("xev's window did not appear within 10 s")
		}
	}
}

// TestScreenGoneGivesKeyboardBack: when the screen with the keyboard drops,
// the keyboard and pointer are the server machine's again.
func TestScreenGoneGivesKeyboardBack(t *testing.T) {
	srvX := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 480})
	cliX := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240})
	srv := srvX.Display()
	srvTerm := xvfbtest.StartTerminal(t, srv, "100x34") // under the hidden pointer at the centre too
	addr := freePort(t)
	server := start(t, "dreaminput", "server", "--config", writeConfig(t, twoScreens), "--name", "srv",
		"--display", srv, "--address", addr, "--disable-crypto")
	server.waitFor(t, 10*time.Second, "watching the keyboard and mouse")
	// It is announced on the local network (multicast DNS).
	found, err := discovery.Browse(context.Background(), discovery.Dreaminput, time.Second, discovery.Loopback())
	if err != nil {
		t.Fatal(err)
	}
	announced := false
	for _, f := range found {
		announced = announced || f.Instance == "srv" && f.HostPort == addr && f.TXT["tls"] == "0"
	}
	if !announced {
		t.Errorf("dreaminput server at %s not found on the network; found %+v", addr, found)
	}
	barrierc := barriertest.Client(t, cliX.Display(), "cli", addr, "")
	server.waitFor(t, 10*time.Second, "screen connected")
	xvfbtest.Xdotool(t, srv, "key", "ctrl+alt+Right")
	pointerAt(t, cliX.Display(), 160, 120)
	barrierc.Stop()
	server.waitFor(t, 15*time.Second, "keyboard and mouse back")
	xvfbtest.Xdotool(t, srv, "mousemove", "20", "20")
	xvfbtest.Xdotool(t, srv, "type", "--delay", "20", "mine")
	xvfbtest.Xdotool(t, srv, "key", "Return")
	if got := srvTerm.Line(t); got != "mine" {
		t.Errorf("srv's terminal got %q after cli dropped; want %q", got, "mine")
	}
}

func TestServerErrors(t *testing.T) {
	good := writeConfig(t, twoScreens)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no config", []string{"server"}, "--config FILE"},
		{"missing config", []string{"server", "--config", "/nonexistent/dream.conf"}, "no such file"},
		{"bad config", []string{"server", "--config", writeConfig(t, "section: screens\n\tsrv:\nend\nsection: links\n\tsrv:\n\t\tright = nobody\nend\n")}, `srv's right edge leads to unknown screen "nobody"`},
		{"unknown name", []string{"server", "--config", good, "--name", "laptop"}, `this screen, "laptop", is not in the configuration`},
		{"bad hotkey", []string{"server", "--config", writeConfig(t, strings.Replace(twoScreens, "switchToScreen(cli)", "lockCursorToScreen(toggle)", 1)), "--name", "srv"}, "does not do lockCursorToScreen"},
		{"plain beyond loopback", []string{"server", "--config", good, "--name", "srv", "--disable-crypto", "--address", "0.0.0.0:24801"}, "in the clear"},
		{"no display", []string{"server", "--config", good, "--name", "srv", "--disable-crypto", "--address", "127.0.0.1:0", "--display", ":987"}, "cannot open display :987"},
		{"stray argument", []string{"server", "--config", good, "extra"}, `unexpected argument "extra"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(bin, "dreaminput"), tt.args...)
			cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), tt.want) {
				t.Errorf("dreaminput %s: %v\n%s\nwant an error containing %q", strings.Join(tt.args, " "), err, out, tt.want)
			}
		})
	}
}

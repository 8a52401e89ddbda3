package bench

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"

	"dream/internal/keysym"
	"dream/internal/x11"
	"dream/internal/xvfb"
)

// Xpra is xpra (Debian's) as a peer: `xpra shadow` serves the desktop as
// x11vnc does, and xpra's own client shows it on a display of the bench's (a
// second Xvfb), where the bench types into its window and watches its pixels.
var Xpra = Peer{Name: "xpra", Args: func(d string, p int) []string {
	return []string{"xpra", "shadow", d, "--bind-tcp=127.0.0.1:" + strconv.Itoa(p), "--daemon=no", "--mdns=no",
		"--notifications=no", "--pulseaudio=no", "--speaker=off", "--microphone=off", "--webcam=no",
		"--printing=no", "--file-transfer=no", "--dbus-proxy=no", "--systemd-run=no", "--bell=no", "--clipboard=no", "--mmap=no",
		// Debian's configuration starts "/etc/X11/Xsession true", which on
		// a bare desktop puts an error message and a terminal over it; the
		// wrapper turns every start command into "true ...".
		"--exec-wrapper=true", "--terminate-children=yes"}
}, Home: true}

// TypingXpra runs the typing scenario against xpra: the same desktop,
// application and keystrokes; keys typed into xpra's client window (XTEST on
// the client's display) and its picture read back from that display.
func TypingXpra(ctx context.Context, cfg TypingConfig) (TypingResult, error) {
	cfg = cfg.withDefaults()
	res := TypingResult{Codec: "auto", Area: cfg.Area, Content: cfg.Content, Link: cfg.Link}
	s, err := startVNC(ctx, Xpra) // the server side is started as the VNC servers are
	if err != nil {
		return res, err
	}
	defer s.stop()
	app, err := startTypist(s.x.Display(), s.pat, cfg.area(s.pat), cfg.Area, cfg.Content)
	if err != nil {
		return res, err
	}
	defer app.close()
	v, err := startXpraClient(ctx, s.addr, cfg.Link)
	if err != nil {
		return res, err
	}
	defer v.close()
	before, err := procUsage(s.cmd.Process.Pid)
	if err != nil {
		return res, err
	}
	if res.Samples, res.Missed, err = typeKeys("xpra", v, app, cfg.Samples); err != nil {
		return res, fmt.Errorf("%w%s", err, v.log.quote())
	}
	after, err := procUsage(s.cmd.Process.Pid)
	res.Server = Usage{CPU: after.CPU - before.CPU, PeakKB: after.PeakKB}
	return res, err
}

// xpraClient is xpra's client on a display of its own, connected through a
// relay that holds the traffic for the link's delay.
type xpraClient struct {
	x      *xvfb.Server
	cmd    *exec.Cmd
	exited chan struct{}
	relay  net.Listener
	log    *tailLog
	home   string // its own, as the server's (Peer.Home)

	conn   *xgb.Conn
	root   xproto.Window
	win    image.Point // the watched pixel on the client's screen
	code   map[uint32]xproto.Keycode
	mu     sync.Mutex
	want   color.RGBA
	seenC  chan struct{}
	stopC  chan struct{}
	polled sync.WaitGroup
	errMu  sync.Mutex
	err    error
}

func startXpraClient(ctx context.Context, server string, link Link) (*xpraClient, error) {
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		c, err := net.Dial("tcp", server)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("xpra's server did not listen within 30 s: %w", err)
		}
	}
	x, err := xvfb.Start(ctx, xvfb.Config{Width: width, Height: height})
	if err != nil {
		return nil, err
	}
	v := &xpraClient{x: x, seenC: make(chan struct{}, 1), stopC: make(chan struct{}), exited: make(chan struct{}), log: &tailLog{}}
	if v.relay, err = relay(server, link); err != nil {
		x.Stop()
		return nil, err
	}
	v.cmd = exec.Command("xpra", "attach", "tcp://"+v.relay.Addr().String(), "--opengl=no", "--speaker=off", "--microphone=off",
		"--webcam=no", "--notifications=no", "--tray=no", "--mdns=no", "--bell=no", "--clipboard=no", "--file-transfer=no", "--printing=no", "--mmap=no")
	if v.home, err = os.MkdirTemp("", "dreambench-home-"); err != nil {
		v.relay.Close()
		x.Stop()
		return nil, err
	}
	v.cmd.Env = append(append(os.Environ(), homeEnv(v.home)...), "DISPLAY="+x.Display())
	v.cmd.Stdout, v.cmd.Stderr = v.log, v.log
	if err := v.cmd.Start(); err != nil {
		v.relay.Close()
		os.RemoveAll(v.home)
		x.Stop()
		return nil, fmt.Errorf("xpra attach: %w", err)
	}
	go func() { v.cmd.Wait(); close(v.exited) }()
	if err := v.connect(); err != nil {
		v.close()
		return nil, fmt.Errorf("xpra's client: %w%s", err, v.log.quote())
	}
	return v, nil
}

// connect finds the client's window (the shadow of the whole desktop), gives
// it the keyboard and starts watching the pixel.
func (v *xpraClient) connect() error {
	conn, _, err := x11.Dial(v.x.Display())
	if err != nil {
		return err
	}
	v.conn = conn
	if err := xtest.Init(conn); err != nil {
		return fmt.Errorf("XTEST: %w", err)
	}
	v.root = xproto.Setup(conn).DefaultScreen(conn).Root
	var win xproto.Window
	for deadline := time.Now().Add(30 * time.Second); win == 0; time.Sleep(100 * time.Millisecond) {
		select {
		case <-v.exited:
			return errors.New("it exited")
		default:
		}
		if time.Now().After(deadline) {
			return errors.New("no window within 30 s")
		}
		win = v.largestWindow()
	}
	pos, err := xproto.TranslateCoordinates(conn, win, v.root, 0, 0).Reply()
	if err != nil {
		return err
	}
	c := centre()
	v.win = image.Pt(int(pos.DstX)+c.X, int(pos.DstY)+c.Y)
	xproto.WarpPointer(conn, 0, v.root, 0, 0, 0, 0, int16(v.win.X), int16(v.win.Y))
	if err := xproto.SetInputFocusChecked(conn, xproto.InputFocusPointerRoot, win, xproto.TimeCurrentTime).Check(); err != nil {
		return err
	}
	keys, err := keysym.OpenX(v.x.Display())
	if err != nil {
		return err
	}
	defer keys.Close()
	v.code = map[uint32]xproto.Keycode{}
	for _, sym := range []uint32{'a'} {
		codes := keys.Keycodes(sym)
		if len(codes) == 0 {
			return fmt.Errorf("no key for keysym %#x", sym)
		}
		v.code[sym] = xproto.Keycode(codes[0])
	}
	v.polled.Add(1)
	go v.poll()
	return nil
}

// largestWindow is the biggest mapped top-level window: the desktop's.
func (v *xpraClient) largestWindow() xproto.Window {
	tree, err := xproto.QueryTree(v.conn, v.root).Reply()
	if err != nil {
		return 0
	}
	var best xproto.Window
	area := 0
	for _, w := range tree.Children {
		attr, err := xproto.GetWindowAttributes(v.conn, w).Reply()
		if err != nil || attr.MapState != xproto.MapStateViewable {
			continue
		}
		g, err := xproto.GetGeometry(v.conn, xproto.Drawable(w)).Reply()
		if err == nil && int(g.Width)*int(g.Height) > area && g.Width >= width/2 {
			best, area = w, int(g.Width)*int(g.Height)
		}
	}
	return best
}

// poll reads the watched pixel of the client's screen every millisecond.
func (v *xpraClient) poll() {
	defer v.polled.Done()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-v.stopC:
			return
		case <-tick.C:
		}
		v.mu.Lock()
		want := v.want
		v.mu.Unlock()
		if want.A == 0 {
			continue
		}
		img, err := xproto.GetImage(v.conn, xproto.ImageFormatZPixmap, xproto.Drawable(v.root),
			int16(v.win.X), int16(v.win.Y), 1, 1, 0xffffffff).Reply()
		if err != nil {
			v.errMu.Lock()
			v.err = err
			v.errMu.Unlock()
			return
		}
		if len(img.Data) >= 3 && nearest(color.RGBA{img.Data[2], img.Data[1], img.Data[0], 255}) == want {
			v.mu.Lock()
			v.want = color.RGBA{}
			v.mu.Unlock()
			select {
			case v.seenC <- struct{}{}:
			default:
			}
		}
	}
}

func (v *xpraClient) key(sym uint32, down bool) error {
	code, ok := v.code[sym]
	if !ok {
		return fmt.Errorf("xpra: no key for keysym %#x", sym)
	}
	typ := byte(xproto.KeyRelease)
	if down {
		typ = xproto.KeyPress
	}
	return xtest.FakeInputChecked(v.conn, typ, byte(code), 0, v.root, 0, 0, 0).Check()
}

func (v *xpraClient) await(c color.RGBA) {
	v.mu.Lock()
	v.want = c
	v.mu.Unlock()
}

func (v *xpraClient) seen() <-chan struct{}   { return v.seenC }
func (v *xpraClient) failed() <-chan struct{} { return v.exited }
func (v *xpraClient) failure() error {
	v.errMu.Lock()
	defer v.errMu.Unlock()
	if v.err != nil {
		return v.err
	}
	return errors.New("xpra's client exited")
}

func (v *xpraClient) String() string {
	return fmt.Sprintf("xpra's client window's pixel at %v", v.win)
}

// IdleXpra measures xpra on a still desktop with its client attached, as
// Load measures dreamcomp.
func IdleXpra(ctx context.Context, cfg LoadConfig) (LoadResult, error) {
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	res := LoadResult{Codec: "auto", Viewers: 1}
	s, err := startVNC(ctx, Xpra)
	if err != nil {
		return res, err
	}
	defer s.stop()
	v, err := startXpraClient(ctx, s.addr, cfg.Link)
	if err != nil {
		return res, err
	}
	defer v.close()
	time.Sleep(2 * time.Second) // attached, first picture through
	if res.Server, res.Packets, res.Duration, err = still(s.cmd.Process.Pid, cfg); err != nil {
		return res, err
	}
	res.Received = []int64{0}
	return res, nil
}

func (v *xpraClient) close() {
	close(v.stopC)
	v.polled.Wait()
	if v.conn != nil {
		v.conn.Close()
	}
	v.cmd.Process.Signal(syscall.SIGTERM) // waited for by the goroutine that closes exited
	select {
	case <-v.exited:
	case <-time.After(time.Second):
		v.cmd.Process.Kill()
		<-v.exited
	}
	v.relay.Close()
	os.RemoveAll(v.home)
	v.x.Stop()
}

// relay listens on loopback and forwards each connection to target, the
// traffic held for link's delay each way.
func relay(target string, link Link) (net.Listener, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer in.Close()
				out, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				out = link.Conn(out)
				defer out.Close()
				done := make(chan struct{}, 2)
				go func() { io.Copy(out, in); done <- struct{}{} }()
				go func() { io.Copy(in, out); done <- struct{}{} }()
				<-done
			}()
		}
	}()
	return l, nil
}

// tailLog keeps the last lines a process wrote, for errors.
type tailLog struct {
	mu    sync.Mutex
	lines []string
}

func (t *tailLog) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		t.lines = append(t.lines, l)
		if len(t.lines) > 20 {
			t.lines = t.lines[1:]
		}
	}
	return len(b), nil
}

func (t *tailLog) quote() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 0 {
		return ""
	}
	return "\n\t" + strings.Join(t.lines, "\n\t")
}

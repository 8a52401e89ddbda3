package bench

import (
	"context"
	"fmt"
	"image"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"dream/internal/testpattern"
	"dream/internal/xvfb"
)

// Peer is a VNC server to measure beside dream: its command, with the display
// and the port filled in.
type Peer struct {
	Name string
	Args func(display string, port int) []string
	// Home: the server gets a home and runtime directory of its own (xpra
	// keeps sessions and settings there), removed when it stops.
	Home bool
}

// Peers are the VNC servers users would run instead, as shipped and as tuned
// for latency: x11vnc with the settings its manual gives for it, TigerVNC's
// x0vncserver polling every 5 ms with no cap on updates or CPU.
var Peers = []Peer{
	{Name: "x11vnc", Args: func(d string, p int) []string {
		return []string{"x11vnc", "-display", d, "-rfbport", strconv.Itoa(p), "-localhost", "-nopw", "-forever", "-shared", "-quiet"}
	}},
	{Name: "x11vnc tuned", Args: func(d string, p int) []string {
		return []string{"x11vnc", "-display", d, "-rfbport", strconv.Itoa(p), "-localhost", "-nopw", "-forever", "-shared", "-quiet",
			"-wait", "1", "-defer", "1", "-nowait_bog", "-nonap", "-threads"}
	}},
	// Debian's x0vncserver is a Perl wrapper that daemonizes; its server is
	// X0tigervnc, run here directly so that it can be measured and stopped.
	{Name: "x0vncserver", Args: func(d string, p int) []string {
		return []string{"X0tigervnc", "-display", d, "-rfbport", strconv.Itoa(p), "-localhost", "-SecurityTypes", "None"}
	}},
	{Name: "x0vncserver tuned", Args: func(d string, p int) []string {
		return []string{"X0tigervnc", "-display", d, "-rfbport", strconv.Itoa(p), "-localhost", "-SecurityTypes", "None",
			"-PollingCycle", "5", "-MaxProcessorUsage", "100", "-FrameRate", "1000"}
	}},
}

// TypingVNC runs the typing scenario against a VNC server instead of dream:
// the same desktop, application and keystrokes, with the bench's RFB viewer
// (KeyEvent in, updates decoded out) over the same link. With no encoding
// given, it measures each for a few keystrokes and keeps the best for the
// link (the lowest median), as a user who tried them would.
func TypingVNC(ctx context.Context, peer Peer, cfg TypingConfig) (TypingResult, error) {
	cfg = cfg.withDefaults()
	res := TypingResult{Codec: cfg.Encoding, Area: cfg.Area, Content: cfg.Content, Link: cfg.Link}
	s, err := startVNC(ctx, peer)
	if err != nil {
		return res, err
	}
	defer s.stop()
	app, err := startTypist(s.x.Display(), s.pat, cfg.area(s.pat), cfg.Area, cfg.Content)
	if err != nil {
		return res, err
	}
	defer app.close()

	if res.Codec == "" {
		res.Tried = map[string]time.Duration{}
		for _, enc := range Encodings {
			r, err := s.typeKeys(peer, cfg, enc, app, cfg.Probe)
			if err != nil {
				return res, err
			}
			res.Tried[enc] = r.Percentile(50, total)
			if res.Codec == "" || res.Tried[enc] < res.Tried[res.Codec] {
				res.Codec = enc
			}
		}
	}
	r, err := s.typeKeys(peer, cfg, res.Codec, app, cfg.Samples)
	res.Samples, res.Missed, res.Server, res.Keys = r.Samples, r.Missed, r.Server, r.Keys
	return res, err
}

// IdleVNC measures a VNC server on a still desktop with one viewer (asking
// for Tight, though nothing changes), as Load measures dreamcomp.
func IdleVNC(ctx context.Context, peer Peer, cfg LoadConfig) (LoadResult, error) {
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	res := LoadResult{Codec: "tight", Viewers: 1}
	s, err := startVNC(ctx, peer)
	if err != nil {
		return res, err
	}
	defer s.stop()
	c, err := dialRFB(s.addr, cfg.Link, res.Codec, centre())
	if err != nil {
		return res, fmt.Errorf("%s: %w", peer.Name, err)
	}
	defer c.close()
	time.Sleep(time.Second) // the first update through
	updates, bytes := c.updates.Load(), c.bytes.Load()
	if res.Server, res.Packets, res.Duration, err = still(s.cmd.Process.Pid, cfg); err != nil {
		return res, err
	}
	n := c.updates.Load() - updates
	res.Server.Frames = uint64(n)
	res.Bytes, res.Received = uint64(c.bytes.Load()-bytes), []int64{n}
	return res, nil
}

// ScrollVNC runs the scrolling scenario on one tile against a VNC server,
// whose viewer asks for enc and decodes every update: an update is a frame
// (a VNC server sends what changed since the viewer last asked, so it drops
// nothing; it sends less often instead).
func ScrollVNC(ctx context.Context, peer Peer, cfg ScrollConfig, enc string) (ScrollResult, error) {
	cfg = cfg.withDefaults()
	cfg.Tiles, cfg.Moving = 1, 1
	res := ScrollResult{Codec: enc}
	s, err := startVNC(ctx, peer)
	if err != nil {
		return res, err
	}
	defer s.stop()
	c, err := dialRFB(s.addr, cfg.Link, enc, centre())
	if err != nil {
		return res, fmt.Errorf("%s: %w", peer.Name, err)
	}
	defer c.close()
	time.Sleep(time.Second) // the first update through
	before, err := procUsage(s.cmd.Process.Pid)
	if err != nil {
		return res, err
	}
	updates, bytes := c.updates.Load(), c.bytes.Load()
	elapsed, err := scroll(s.pat, cfg)
	if err != nil {
		return res, err
	}
	after, err := procUsage(s.cmd.Process.Pid)
	if err != nil {
		return res, err
	}
	n := uint64(c.updates.Load() - updates)
	res.Server = Usage{CPU: after.CPU - before.CPU, PeakKB: after.PeakKB, Frames: n}
	res.Tiles = []TileRate{{Tile: 1, Sent: n, Decoded: n, FPS: float64(n) / elapsed.Seconds(), UPS: float64(n) / elapsed.Seconds(),
		Mbps: float64(c.bytes.Load()-bytes) * 8 / elapsed.Seconds() / 1e6}}
	return res, nil
}

// still measures the server pid over cfg.Duration of a still desktop: its CPU
// time and peak memory, and the packets loopback carried meanwhile (-1 when
// cfg does not count them).
func still(pid int, cfg LoadConfig) (u Usage, packets int64, took time.Duration, err error) {
	before, err := procUsage(pid)
	if err != nil {
		return u, 0, 0, err
	}
	first, err := loopbackPackets(cfg.Packets)
	if err != nil {
		return u, 0, 0, err
	}
	start := time.Now()
	time.Sleep(cfg.Duration)
	took = time.Since(start)
	after, err := procUsage(pid)
	if err != nil {
		return u, 0, 0, err
	}
	if packets, err = loopbackPackets(cfg.Packets); err != nil {
		return u, 0, 0, err
	}
	if cfg.Packets {
		packets -= first
	}
	return Usage{CPU: after.CPU - before.CPU, PeakKB: after.PeakKB, Wakeups: after.Wakeups - before.Wakeups}, packets, took, nil
}

func total(l Latency) time.Duration { return l.Total }

// vncServer is a peer serving its own desktop.
type vncServer struct {
	x    *xvfb.Server
	pat  *testpattern.Pattern
	cmd  *exec.Cmd
	addr string
	log  *tailLog // the server's last lines
	home string   // see Peer.Home; "" when none
}

func startVNC(ctx context.Context, peer Peer) (*vncServer, error) {
	x, err := xvfb.Start(ctx, xvfb.Config{Width: width, Height: height})
	if err != nil {
		return nil, err
	}
	s := &vncServer{x: x}
	if s.pat, err = testpattern.Start(x.Display(), 1); err != nil {
		x.Stop()
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.stop()
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	args := peer.Args(x.Display(), port)
	s.cmd = exec.Command(args[0], args[1:]...)
	if peer.Home {
		if s.home, err = os.MkdirTemp("", "dreambench-home-"); err != nil {
			s.cmd = nil
			s.stop()
			return nil, err
		}
		s.cmd.Env = append(os.Environ(), homeEnv(s.home)...)
	}
	s.log = &tailLog{}
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		s.cmd = nil
		s.stop()
		return nil, fmt.Errorf("%s: %w (scripts/setup installs it)", peer.Name, err)
	}
	s.addr = fmt.Sprintf("127.0.0.1:%d", port)
	return s, nil
}

func (s *vncServer) stop() {
	if s.cmd != nil {
		stopProcess(s.cmd)
	}
	if s.home != "" {
		os.RemoveAll(s.home)
	}
	s.pat.Close()
	s.x.Stop()
}

// homeEnv points a process's home, runtime and configuration directories at
// dir.
func homeEnv(dir string) []string {
	return []string{"HOME=" + dir, "XDG_RUNTIME_DIR=" + dir, "XDG_CONFIG_HOME=" + dir}
}

// typeKeys connects a viewer asking for enc and types n keystrokes through
// it; the server's CPU time is counted per update the viewer decoded.
func (s *vncServer) typeKeys(peer Peer, cfg TypingConfig, enc string, app *typist, n int) (TypingResult, error) {
	var res TypingResult
	c, err := dialRFB(s.addr, cfg.Link, enc, centre())
	if err != nil {
		return res, fmt.Errorf("%s: %w", peer.Name, err)
	}
	defer c.close()
	for deadline := time.Now().Add(10 * time.Second); c.updates.Load() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return res, fmt.Errorf("%s: no first update within 10 s", peer.Name)
		}
	}
	before, err := procUsage(s.cmd.Process.Pid)
	if err != nil {
		return res, err
	}
	updates, bytes := c.updates.Load(), c.bytes.Load()
	if res.Samples, res.Missed, err = typeKeys(peer.Name+" "+enc, c, app, n); err != nil {
		return res, err
	}
	after, err := procUsage(s.cmd.Process.Pid)
	res.Keys = len(res.Samples) + res.Missed + 1
	res.Server = Usage{CPU: after.CPU - before.CPU, PeakKB: after.PeakKB, Frames: uint64(c.updates.Load() - updates),
		Bytes: uint64(c.bytes.Load() - bytes)}
	return res, err
}

// centre is the watched pixel: the middle of the square.
func centre() image.Point { return image.Pt(square.Min.X+square.Dx()/2, square.Min.Y+square.Dy()/2) }

// stopProcess asks cmd to end, and makes it after a second (x11vnc -threads does
// not always end on SIGTERM).
func stopProcess(cmd *exec.Cmd) {
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(time.Second):
		cmd.Process.Kill()
		<-done
	}
}

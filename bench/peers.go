package bench

import (
	"context"
	"fmt"
	"image"
	"net"
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
}

// Peers are the VNC servers users would run instead, as shipped and as tuned
// for latency (the tuning x11vnc's manual gives). Debian 12's x0vncserver
// (TigerVNC 1.12) follows XDamage and has no polling settings left to tune.
var Peers = []Peer{
	{"x11vnc", func(d string, p int) []string {
		return []string{"x11vnc", "-display", d, "-rfbport", strconv.Itoa(p), "-localhost", "-nopw", "-forever", "-shared", "-quiet"}
	}},
	{"x11vnc tuned", func(d string, p int) []string {
		return []string{"x11vnc", "-display", d, "-rfbport", strconv.Itoa(p), "-localhost", "-nopw", "-forever", "-shared", "-quiet",
			"-wait", "1", "-defer", "1", "-nowait_bog", "-nonap", "-threads"}
	}},
	// Debian's x0vncserver is a Perl wrapper that daemonizes; its server is
	// X0tigervnc, run here directly so that it can be measured and stopped.
	{"x0vncserver", func(d string, p int) []string {
		return []string{"X0tigervnc", "-display", d, "-rfbport", strconv.Itoa(p), "-localhost", "-SecurityTypes", "None"}
	}},
}

// TypingVNC runs the typing scenario against a VNC server instead of dream:
// the same desktop, application and keystrokes, with an RFB client as the
// viewer (KeyEvent in, Raw updates out).
func TypingVNC(ctx context.Context, peer Peer, cfg TypingConfig) (TypingResult, error) {
	res := TypingResult{Codec: "raw", Full: cfg.Full}
	if cfg.Samples <= 0 {
		cfg.Samples = 100
	}
	x, err := xvfb.Start(ctx, xvfb.Config{Width: width, Height: height})
	if err != nil {
		return res, err
	}
	defer x.Stop()
	pat, err := testpattern.Start(x.Display(), 1)
	if err != nil {
		return res, err
	}
	defer pat.Close()
	app, err := startTypist(x.Display(), pat, cfg.Full)
	if err != nil {
		return res, err
	}
	defer app.close()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	args := peer.Args(x.Display(), port)
	srv := exec.Command(args[0], args[1:]...)
	if err := srv.Start(); err != nil {
		return res, fmt.Errorf("%s: %w (scripts/setup installs it)", peer.Name, err)
	}
	defer stopProcess(srv)

	at := centre()
	c, err := dialRFB(fmt.Sprintf("127.0.0.1:%d", port), at)
	if err != nil {
		return res, fmt.Errorf("%s: %w", peer.Name, err)
	}
	defer c.close()
	time.Sleep(500 * time.Millisecond) // the first full update
	before, err := procUsage(srv.Process.Pid)
	if err != nil {
		return res, err
	}
	if res.Samples, err = typeKeys(peer.Name, c, app, cfg.Samples); err != nil {
		return res, err
	}
	after, err := procUsage(srv.Process.Pid)
	res.Server = Usage{CPU: after.CPU - before.CPU, PeakKB: after.PeakKB}
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

// Command dreamcomp runs applications on an X display, cuts the display into one
// tile per client screen and streams each tile over WebRTC (WHEP).
//
//	dreamcomp --span 3 -- xterm
//
// starts its own 5760x1080 Xvfb, runs xterm on it and serves three 1920x1080 tiles
// on https://0.0.0.0:8040 to viewers that have its token (it prints a pairing
// URL). See README.md for every flag.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"dream/compositor"
	"dream/compositor/access"
	"dream/compositor/layout"
	inputclient "dream/inputd/client"
	"dream/internal/cli"
	"dream/internal/discovery"
	"dream/internal/session"
	"dream/internal/xvfb"
	"dream/proto"
)

const usage = `usage: dreamcomp [flags] [-- CMD ARGS...]

Runs CMD on an X display (its own Xvfb unless --display names one), cuts the
display into --span tiles side by side and serves each tile as WebRTC video:
POST /whep/{tile} (tiles numbered from 1), GET /tiles, over HTTPS, to requests
with its token (Authorization: Bearer TOKEN). The token and a self-signed
certificate are made on first start and kept in --keys-dir; the pairing URL it
prints carries both the token and the certificate's fingerprint, for dreamview.

Its own display and CMD run as a session (--session) that outlives dreamcomp:
dreamcomp started again with the same size attaches to it, applications and
all, and CMD is not run again. The session ends when CMD ends, or with
dreamcomp --stop. dreamcomp ends with its session, on Ctrl-C, or when the X
display goes away.

Flags:
`

type options struct {
	span         int
	tileSize     string
	display      string
	codec        string
	fps          int
	bitrate      int
	listen       string
	maxViewers   int
	maxPeers     int
	viewOnly     bool
	patches      bool
	keysDir      string
	viewToken    bool
	name         string
	announce     bool
	inputServer  string
	inputName    string
	inputPlain   bool
	inputProfile string
	inputTrust   string
	logLevel     string
	session      string
	pprof        string
	stop         bool
	listSessions bool
	command      []string
	tileW, tileH int
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == session.KeeperArg {
		os.Exit(session.Keep(os.Args[2]))
	}
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		cli.Fatal("dreamcomp", err)
	}
	log, err := cli.Logger(opts.logLevel)
	if err != nil {
		cli.Fatal("dreamcomp", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch {
	case opts.listSessions:
		err = listSessions(os.Stdout)
	case opts.stop:
		if err = session.Stop(ctx, "", opts.session); err == nil {
			log.Info("session stopped", "session", opts.session)
		}
	default:
		err = run(ctx, opts, log)
	}
	if err != nil {
		stop()
		cli.Fatal("dreamcomp", err)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("dreamcomp", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage); fs.PrintDefaults() }
	fs.IntVar(&o.span, "span", 1, "number of tiles side by side: one per client screen")
	fs.StringVar(&o.tileSize, "tile-size", "1920x1080", "size of one tile `WxH` for the built-in display (ignored with --display)")
	fs.StringVar(&o.display, "display", "", "capture this existing X display (`:N`) instead of starting one; tile width = screen width / span")
	fs.StringVar(&o.codec, "codec", compositor.DefaultCodec, "video codec: h264 (Constrained Baseline, openh264) or vp8 (libvpx)")
	fs.IntVar(&o.fps, "fps", compositor.DefaultFPS, "most frames a second per tile (frames are sent only when pixels change)")
	fs.IntVar(&o.bitrate, "bitrate", 0, "target bitrate per tile in `kbit/s`; 0 picks one by tile size")
	fs.StringVar(&o.listen, "listen", "0.0.0.0:8040", "HTTPS `address` for WHEP and /tiles (every request needs the token)")
	fs.IntVar(&o.maxViewers, "max-viewers", 16, "most viewers of one tile")
	fs.IntVar(&o.maxPeers, "max-peers", 64, "most viewers in all")
	fs.StringVar(&o.keysDir, "keys-dir", access.DefaultDir(), "where the token and TLS certificate are kept (`DIR`, made on first start)")
	fs.StringVar(&o.name, "name", hostname(), "this desktop's `name` on the local network (what dreamview --list shows)")
	fs.BoolVar(&o.announce, "announce", true, "announce this desktop on the local network (multicast DNS, _dreamcomp._tcp)")
	fs.BoolVar(&o.viewToken, "view-only-token", false, "also issue a view-only token (video, never input) and print its pairing URL")
	fs.StringVar(&o.inputServer, "input-server", "", "join this Barrier, Synergy, Input Leap, Deskflow or dreaminput server (`HOST[:PORT]`) as one screen: the whole spanned desktop")
	fs.StringVar(&o.inputName, "input-name", "dreamcomp", "the `name` of this screen in the input server's configuration")
	fs.BoolVar(&o.inputPlain, "input-disable-crypto", false, "plain TCP to the input server (its --disable-crypto); TLS with pinned fingerprints otherwise")
	fs.StringVar(&o.inputProfile, "input-profile-dir", inputclient.DefaultProfile(), "this screen's certificate and trusted input servers (`DIR`)")
	fs.StringVar(&o.inputTrust, "input-trust", "", "trust the input server with this certificate `fingerprint` (v2:sha256:HEX)")
	fs.BoolVar(&o.viewOnly, "view-only", false, "ignore every viewer's keyboard and mouse, whatever its token")
	fs.BoolVar(&o.patches, "patches", true, "send what changes little as exact pixels beside the video (the patch lane); --patches=false sends everything as video")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&o.session, "session", "", "the `name` of the session that keeps the display and CMD between runs of dreamcomp; default: the display's size, like 5760x1080; none: they end with dreamcomp")
	fs.BoolVar(&o.stop, "stop", false, "end the session (--session, or the one of --span and --tile-size): its applications, then its display")
	fs.StringVar(&o.pprof, "pprof", "", "serve Go's profiles (net/http/pprof) on this loopback `address`, like 127.0.0.1:6060")
	fs.BoolVar(&o.listSessions, "list-sessions", false, "print the sessions that run, and exit")
	pos, tail, err := cli.Parse(fs, args)
	if err != nil {
		return o, err
	}
	if len(pos) > 0 {
		return o, fmt.Errorf("unexpected argument %q: put the command to run after --, as in: dreamcomp -- %s", pos[0], strings.Join(pos, " "))
	}
	o.command = tail
	if o.tileW, o.tileH, err = parseSize(o.tileSize); err != nil {
		return o, err
	}
	switch {
	case o.span < 1 || o.span > layout.MaxTiles:
		return o, fmt.Errorf("--span %d: want 1 to %d tiles", o.span, layout.MaxTiles)
	case o.fps < 1 || o.fps > 240:
		return o, fmt.Errorf("--fps %d: want 1 to 240", o.fps)
	case o.bitrate < 0:
		return o, fmt.Errorf("--bitrate %d: want a positive kbit/s, or 0 for automatic", o.bitrate)
	case o.maxViewers < 1:
		return o, fmt.Errorf("--max-viewers %d: want at least 1", o.maxViewers)
	case o.maxPeers < 1:
		return o, fmt.Errorf("--max-peers %d: want at least 1", o.maxPeers)
	case o.codec != "h264" && o.codec != "vp8":
		return o, fmt.Errorf("--codec %q: want h264 or vp8", o.codec)
	case o.display != "" && (o.session != "" || o.stop):
		return o, errors.New("--display captures a display that is not dreamcomp's: it has no --session, nor --stop")
	case o.stop && o.session == session.None:
		return o, errors.New("--stop --session none: no session to stop")
	}
	if o.session == "" && o.display == "" {
		o.session = session.DefaultName(o.span*o.tileW, o.tileH)
	}
	if o.session != "" && o.session != session.None {
		if err := session.CheckName(o.session); err != nil {
			return o, fmt.Errorf("--session: %w", err)
		}
	}
	return o, nil
}

func parseSize(s string) (w, h int, err error) {
	ws, hs, ok := strings.Cut(s, "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 16 || h < 16 || w > 8192 || h > 8192 {
		return 0, 0, fmt.Errorf("--tile-size %q: want WIDTHxHEIGHT, like 1920x1080 (16 to 8192 each)", s)
	}
	return w, h, nil
}

func run(ctx context.Context, o options, log *slog.Logger) error {
	display := o.display
	var sess *session.Session
	switch {
	case display == "" && o.session == session.None:
		x, err := xvfb.Start(ctx, xvfb.Config{Width: o.span * o.tileW, Height: o.tileH, GLX: true, Log: log})
		if err != nil {
			return err
		}
		defer x.Stop()
		display = x.Display()
	case display == "":
		var err error
		sess, err = session.Attach(ctx, session.Config{Name: o.session, Width: o.span * o.tileW, Height: o.tileH, GLX: true, Command: o.command})
		if err != nil {
			return err
		}
		defer sess.Close()
		display = sess.Display
		if sess.Started {
			log.Info("session started", "session", sess.Name, "display", display, "log", sess.LogFile)
		} else {
			log.Info("attached to the running session", "session", sess.Name, "display", display)
			if len(o.command) > 0 {
				log.Info("its applications run already: the command is not run again", "command", o.command[0])
			}
		}
		o.command = nil // the session runs it
	}

	if o.pprof != "" {
		addr, err := servePprof(o.pprof)
		if err != nil {
			return err
		}
		log.Info("serving Go's profiles", "url", "http://"+addr+"/debug/pprof/")
	}

	keys, err := access.Load(o.keysDir)
	if err != nil {
		return err
	}
	if o.viewToken {
		if _, err := keys.ViewToken(); err != nil {
			return err
		}
	}
	tcpLn, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w (is another dreamcomp running? pick another --listen)", o.listen, err)
	}
	loopback := isLoopback(tcpLn.Addr())
	ln := tls.NewListener(tcpLn, &tls.Config{Certificates: []tls.Certificate{keys.Cert}, MinVersion: tls.VersionTLS12})

	comp, err := compositor.New(compositor.Config{
		Display: display, Span: o.span, Codec: o.codec, FPS: o.fps, BitrateKbps: o.bitrate,
		LoopbackOnly: loopback, MaxViewers: o.maxViewers, MaxPeers: o.maxPeers, Log: log,
		Access: access.NewGuard(keys), Input: !o.viewOnly, VideoOnly: !o.patches,
	})
	if err != nil {
		ln.Close()
		return err
	}
	defer comp.Close()

	srv := &http.Server{Handler: comp.Handler(), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute,
		ErrorLog: stdlog.New(io.Discard, "", 0)} // TLS handshakes that fail (port scans, unpaired browsers) are not news
	httpErr := make(chan error, 1)
	go func() { httpErr <- srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()

	l := comp.Layout()
	t := l.Tiles[0].Rect
	// The pairing URLs carry the tokens: shown on a terminal, and kept in
	// files of mode 0600 (not in logs that others may read).
	base := viewerURL(tcpLn.Addr())
	pairing, err := pairingAttr(keys, access.PairingFile, "url", pairingURL(base, keys.Control, keys.Fingerprint))
	if err != nil {
		return err
	}
	log.Info("dreamcomp serving", "display", display, "size", fmt.Sprintf("%dx%d", l.Screen.Dx(), l.Screen.Dy()),
		"tiles", len(l.Tiles), "tile_size", fmt.Sprintf("%dx%d", t.Dx(), t.Dy()), "codec", o.codec, pairing)
	if keys.View != "" {
		view, err := pairingAttr(keys, access.ViewURLFile, "view_url", pairingURL(base, keys.View, keys.Fingerprint))
		if err != nil {
			return err
		}
		log.Info("a view-only token is active (video, never input); delete its file to revoke it",
			"file", filepath.Join(keys.Dir, access.ViewFile), view)
	}
	if o.announce {
		a, err := discovery.Announce(discovery.Service{Kind: discovery.Dreamcomp, Instance: o.name,
			Port: tcpLn.Addr().(*net.TCPAddr).Port, IPs: announceIPs(tcpLn.Addr()), Iface: announceIface(loopback), TXT: map[string]string{
				"v": strconv.Itoa(proto.Version), "tiles": strconv.Itoa(len(l.Tiles)),
				"layout": fmt.Sprintf("%dx%d*%d", t.Dx(), t.Dy(), len(l.Tiles)), "fp": keys.Fingerprint,
			}})
		if err != nil {
			log.Warn("not announced on the local network: viewers need the pairing URL", "err", err)
		} else {
			defer a.Close()
			log.Info("announced on the local network", "name", o.name)
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	compErr := make(chan error, 1)
	go func() { compErr <- comp.Run(ctx) }()

	// The spanned desktop as one screen of a Synergy-protocol server.
	inputErr := make(chan error, 1)
	if o.inputServer != "" {
		ilog := log.With("component", "input-client")
		var tlsConf *tls.Config
		if !o.inputPlain {
			if tlsConf, err = (inputclient.Profile{Dir: o.inputProfile}).Setup(o.inputTrust, ilog); err != nil {
				return fmt.Errorf("--input-server: %w", err)
			}
		}
		go func() {
			inputErr <- inputclient.Run(ctx, inputclient.Config{Server: o.inputServer, Name: o.inputName,
				Display: display, Injector: comp.Injector(), Log: ilog, TLS: tlsConf})
		}()
		defer func() {
			cancel()
			<-inputErr
		}()
	}

	var childDone chan error
	if len(o.command) > 0 {
		child, done, err := startChild(o.command, display)
		if err != nil {
			return err
		}
		defer stopChild(child, done)
		childDone = done
	}

	var sessEnded <-chan struct{}
	if sess != nil {
		sessEnded = sess.Ended()
	}
	select {
	case <-ctx.Done():
		if sess != nil {
			log.Info("stopping; the session runs on: dreamcomp attaches to it again, and dreamcomp --stop ends it", "session", sess.Name)
		} else {
			log.Info("stopping")
		}
		cancel()
		return <-compErr
	case <-sessEnded:
		cancel()
		<-compErr
		return sessionEnd(sess, log)
	case err := <-compErr:
		if sess != nil { // the display went with the session: say why
			select {
			case <-sess.Ended():
				return sessionEnd(sess, log)
			case <-time.After(time.Second):
			}
		}
		return err // capture's errors name the display
	case err := <-httpErr:
		return fmt.Errorf("HTTP server on %s: %w", o.listen, err)
	case err := <-inputErr:
		inputErr <- err // for the deferred wait
		cancel()
		<-compErr
		return fmt.Errorf("--input-server: %w", err)
	case err := <-childDone:
		childDone <- err // for stopChild
		cancel()
		<-compErr
		if err != nil {
			return fmt.Errorf("%s: %w", o.command[0], err)
		}
		log.Info("command ended", "command", o.command[0])
		return nil
	}
}

// servePprof serves net/http/pprof on addr, which must be on loopback: the
// profiles show the process's insides, to anyone who can connect. It returns
// the address it listens on.
func servePprof(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("--pprof %s: %w", addr, err)
	}
	if !isLoopback(ln.Addr()) {
		ln.Close()
		return "", fmt.Errorf("--pprof %s: not a loopback address: the profiles are for this machine only (try 127.0.0.1:6060)", addr)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go http.Serve(ln, mux)
	return ln.Addr().String(), nil
}

// sessionEnd reports how the session ended: an error unless it was stopped
// or its command exited with status 0.
func sessionEnd(sess *session.Session, log *slog.Logger) error {
	if err := sess.Err(); err != nil {
		return fmt.Errorf("session %s ended: %w", sess.Name, err)
	}
	log.Info("the session ended", "session", sess.Name, "why", sess.Reason())
	return nil
}

// listSessions prints the sessions that run, one a line.
func listSessions(w io.Writer) error {
	list, err := session.List("")
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(os.Stderr, "no session runs")
		return nil
	}
	for _, s := range list {
		fmt.Fprintf(w, "%s\tdisplay %s\t%dx%d\tpid %d\n", s.Name, s.Display, s.Width, s.Height, s.Pid)
	}
	return nil
}

// startChild runs the command on the display in its own process group, so that
// stopping it stops whatever it started too.
func startChild(command []string, display string) (*exec.Cmd, chan error, error) {
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("cannot start %s: %w", command[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return cmd, done, nil
}

func stopChild(cmd *exec.Cmd, done chan error) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case err := <-done:
		done <- err
	case <-time.After(3 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// pairingAttr keeps a pairing URL in its file and returns the log attribute
// that shows it: the URL itself on a terminal, else where it is kept.
func pairingAttr(keys *access.Keys, file, key, url string) (slog.Attr, error) {
	if err := keys.WriteSecret(file, url); err != nil {
		return slog.Attr{}, fmt.Errorf("keep the pairing URL: %w", err)
	}
	if st, err := os.Stderr.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
		return slog.String(key, url), nil
	}
	return slog.String(key+"_in", filepath.Join(keys.Dir, file)), nil
}

// pairingURL is what a viewer is given: the server, its token, and its
// certificate's fingerprint, which the viewer pins.
func pairingURL(base, token, fingerprint string) string {
	return base + "/?token=" + token + "&fp=" + fingerprint
}

// viewerURL is the URL viewers use: for a wildcard listen address, the first
// non-loopback address of this machine, which other machines can reach.
func viewerURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return "https://" + a.String()
	}
	port := strconv.Itoa(tcp.Port)
	addrs, _ := net.InterfaceAddrs()
	for _, ad := range addrs {
		if ipn, ok := ad.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
			return "https://" + net.JoinHostPort(ipn.IP.String(), port)
		}
	}
	return "https://" + net.JoinHostPort("127.0.0.1", port)
}

// announceIPs is where viewers reach a listener on a: its own address, or
// for a wildcard every address of this machine's (nil).
func announceIPs(a net.Addr) []net.IP {
	if tcp, ok := a.(*net.TCPAddr); ok && !tcp.IP.IsUnspecified() {
		return []net.IP{tcp.IP}
	}
	return nil
}

// announceIface is where to announce: a server on loopback only there.
func announceIface(loopback bool) *net.Interface {
	if loopback {
		return discovery.Loopback()
	}
	return nil
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "dreamcomp"
	}
	return h
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

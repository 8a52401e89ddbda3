// Command dreamview plays one tile of a dreamcomp server fullscreen.
//
//	dreamview 'https://SERVER:8040/?token=…&fp=…' --tile 2   # the first time: dreamcomp's pairing URL
//	dreamview                                                # then: finds it on the network
//
// See README.md for every flag.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"dream/internal/cli"
	"dream/internal/discovery"
	"dream/internal/keysym"
	"dream/proto"
	"dream/viewer/client"
	"dream/viewer/compose"
	"dream/viewer/input"
	"dream/viewer/player"
	"dream/viewer/render"
	"dream/viewer/trust"
)

// browseFor is how long dreamview listens for servers' answers.
const browseFor = time.Second

// findServer is the server to play: the URL given, or the paired one found on
// the local network.
func findServer(ctx context.Context, o options, store *trust.Store, log *slog.Logger) (trust.Server, error) {
	if o.url != "" {
		return trust.ParseURL(o.url)
	}
	found, err := browse(ctx, o.iface)
	if err != nil {
		return trust.Server{}, err
	}
	// Only servers this machine is paired with count (matched by certificate
	// fingerprint: the TXT record is a hint; the TLS handshake checks it).
	var names []string
	var pick []discovery.Found
	var token string
	for _, f := range found {
		names = append(names, f.Instance)
		_, t, ok, _ := store.LookupFingerprint(f.TXT["fp"])
		if ok && t != "" && (o.server == "" || f.Instance == o.server) {
			pick, token = append(pick, f), t
		}
	}
	switch {
	case len(pick) == 0 && o.server != "" && !slices.Contains(names, o.server):
		return trust.Server{}, fmt.Errorf("no dreamcomp named %q on the local network (found: %s)", o.server, listOrNone(names))
	case len(pick) == 0 && len(found) > 0:
		return trust.Server{}, fmt.Errorf("found %s on the local network, but this machine is not paired with it: run dreamview once with the pairing URL that dreamcomp prints", listOrNone(names))
	case len(pick) == 0:
		return trust.Server{}, errors.New("no dreamcomp found on the local network: give its pairing URL (dreamcomp prints it)")
	case len(pick) > 1:
		return trust.Server{}, fmt.Errorf("several paired dreamcomp servers here (%s): pick one with --server NAME", listOrNone(names))
	}
	f := pick[0]
	log.Info("found on the local network", "server", f.Instance, "address", f.HostPort)
	// The fingerprint is the one kept at pairing: the certificate must match it.
	return trust.Server{URL: "https://" + f.HostPort, HostPort: f.HostPort, Token: token, Fingerprint: f.TXT["fp"]}, nil
}

// browse listens for dreamcomp servers on the interface named (all for "").
func browse(ctx context.Context, name string) ([]discovery.Found, error) {
	var iface *net.Interface
	if name != "" {
		var err error
		if iface, err = net.InterfaceByName(name); err != nil {
			return nil, fmt.Errorf("--interface %s: %w", name, err)
		}
	}
	return discovery.Browse(ctx, discovery.Dreamcomp, browseFor, iface)
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// freeTile is the first tile nobody views.
func freeTile(ctx context.Context, cc client.Config) (int, error) {
	tiles, err := client.Tiles(ctx, cc)
	if err != nil {
		return 0, err
	}
	for _, t := range tiles {
		if t.Viewers == 0 {
			return t.Tile, nil
		}
	}
	return 0, fmt.Errorf("all %d tiles have viewers: pick one with --tile N", len(tiles))
}

// list prints the servers on the local network, and whether this machine is
// paired with each.
func list(ctx context.Context, store *trust.Store, iface string) error {
	found, err := browse(ctx, iface)
	if err != nil {
		return err
	}
	if len(found) == 0 {
		fmt.Println("no dreamcomp found on the local network")
		return nil
	}
	for _, f := range found {
		paired := "not paired"
		if _, token, ok, _ := store.LookupFingerprint(f.TXT["fp"]); ok && token != "" {
			paired = "paired"
		}
		fmt.Printf("%s\t%s\ttiles %s (%s)\t%s\n", f.Instance, f.HostPort, f.TXT["tiles"], f.TXT["layout"], paired)
	}
	return nil
}

// GLFW and OpenGL must run on the main OS thread.
func init() { runtime.LockOSThread() }

const usage = `usage: dreamview [flags] [URL]

Plays one tile of the dreamcomp server at URL fullscreen. The first time, give
the pairing URL dreamcomp prints (https://HOST:PORT/?token=…&fp=…): the server's
certificate and token are kept, and later HOST:PORT is enough, or nothing at all:
with no URL dreamview finds its paired server on the local network (--list shows
what is there, --server NAME picks one). With no --tile it takes the first tile
nobody views. --headless decodes without a window.

Flags:
`

type options struct {
	url           string
	token         string
	servers       string
	server        string
	list          bool
	iface         string
	repair        bool
	tile          int
	windowed      bool
	viewOnly      bool
	geometry      string
	keys          [5]string // quit, capture, overlay, next, prev
	win           render.WindowConfig
	headless      bool
	frames        int
	snapshot      string
	snapshotEvery time.Duration
	stats         bool
	logLevel      string
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		cli.Fatal("dreamview", err)
	}
	log, err := cli.Logger(o.logLevel)
	if err != nil {
		cli.Fatal("dreamview", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.list {
		if err := list(ctx, &trust.Store{Path: o.servers}, o.iface); err != nil {
			stop()
			cli.Fatal("dreamview", err)
		}
		return
	}
	if err := run(ctx, o, log); err != nil {
		stop()
		cli.Fatal("dreamview", err)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("dreamview", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage); fs.PrintDefaults() }
	fs.IntVar(&o.tile, "tile", 0, "which tile to play, numbered from 1 (left) as dreamcomp's GET /tiles lists them; 0: the first nobody views")
	fs.StringVar(&o.server, "server", "", "with no URL: the `name` of the dreamcomp to find on the local network")
	fs.BoolVar(&o.list, "list", false, "list the dreamcomp servers on the local network, and exit")
	fs.BoolVar(&o.repair, "repair", false, "accept a pairing URL whose certificate differs from the one kept for that server (dreamcomp there was set up anew)")
	fs.StringVar(&o.iface, "interface", "", "look for servers on this network `interface` only (like wlan0; default: all)")
	fs.BoolVar(&o.windowed, "windowed", false, "play in a window instead of fullscreen")
	fs.StringVar(&o.geometry, "geometry", "", "play in a window of this size and place, X style: `WxH` or WxH+X+Y (implies --windowed)")
	fs.StringVar(&o.token, "token", "", "the server's `token` (the pairing URL carries it; kept once paired)")
	fs.StringVar(&o.servers, "servers", trust.DefaultPath(), "the `FILE` of paired servers (certificate fingerprints and tokens)")
	fs.BoolVar(&o.viewOnly, "view-only", false, "watch only: send no keyboard or mouse input to the desktop")
	fs.BoolVar(&o.headless, "headless", false, "decode without a window (for tests, benchmarks and machines with no display)")
	fs.IntVar(&o.frames, "frames", 0, "exit after `N` pictures shown: video frames and updates of exact pixels (0: run until interrupted)")
	fs.StringVar(&o.snapshot, "snapshot", "", "write the newest decoded frame to `FILE.png` on exit")
	fs.DurationVar(&o.snapshotEvery, "snapshot-every", 0, "also rewrite the --snapshot file this often while playing (like 1s)")
	fs.BoolVar(&o.stats, "stats", false, "print one JSON line a second on stdout: tile, frames, fps, kbps, decode_ms, latency_ms")
	fs.IntVar(&o.win.Monitor, "monitor", 0, "fill monitor `N` (counted from 1; 0: the primary)")
	for i, k := range []struct{ name, def, what string }{
		{"key-quit", "ctrl+alt+shift+q", "leave dreamview"},
		{"key-capture", "ctrl+alt+shift+c", "capture the pointer (relative motion: it crosses into the next tile) or release it"},
		{"key-overlay", "ctrl+alt+s", "show or hide the statistics overlay"},
		{"key-next", "ctrl+alt+right", "move the pointer to the centre of the next tile"},
		{"key-prev", "ctrl+alt+left", "move the pointer to the centre of the previous tile"},
	} {
		fs.StringVar(&o.keys[i], k.name, k.def, "`hotkey` to "+k.what)
	}
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	pos, tail, err := cli.Parse(fs, args)
	if err != nil {
		return o, err
	}
	pos = append(pos, tail...)
	switch {
	case len(pos) > 1:
		return o, fmt.Errorf("unexpected argument %q after the URL", pos[1])
	case len(pos) == 1 && o.server != "":
		return o, errors.New("--server NAME finds a server on the local network: give it or a URL, not both")
	case o.tile < 0:
		return o, fmt.Errorf("--tile %d: tiles are numbered from 1 (0: the first nobody views)", o.tile)
	case o.frames < 0:
		return o, fmt.Errorf("--frames %d: want 0 or more", o.frames)
	case o.snapshotEvery < 0 || (o.snapshotEvery > 0 && o.snapshot == ""):
		return o, errors.New("--snapshot-every needs --snapshot FILE.png and a positive interval")
	}
	if len(pos) == 1 {
		o.url = pos[0]
	}
	o.win.Windowed = o.windowed
	if o.win.Monitor < 0 {
		return o, fmt.Errorf("--monitor %d: monitors are counted from 1", o.win.Monitor)
	}
	if o.geometry != "" {
		if err := parseGeometry(o.geometry, &o.win); err != nil {
			return o, err
		}
	}
	for i, dst := range []*render.Hotkey{&o.win.Keys.Quit, &o.win.Keys.Capture, &o.win.Keys.Overlay, &o.win.Keys.Next, &o.win.Keys.Prev} {
		var err error
		if *dst, err = render.ParseHotkey(o.keys[i]); err != nil {
			return o, err
		}
	}
	return o, nil
}

func run(ctx context.Context, o options, log *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	cur := &cursorRelay{}
	m := &meter{last: statsLine{Tile: o.tile}}
	store := &trust.Store{Path: o.servers}
	srv, err := findServer(ctx, o, store, log)
	if err != nil {
		return err
	}
	// The token: given, or the one kept with this server, which only goes to
	// the certificate kept with it (Check makes sure of that).
	token := srv.Token
	if o.token != "" {
		token = o.token
	}
	keptFP, keptToken, paired, _ := store.Lookup(srv.HostPort)
	if token == "" && paired && (srv.Fingerprint == "" || srv.Fingerprint == keptFP) {
		token = keptToken
	}
	verify := func(srv trust.Server) func(string) error {
		if strings.HasPrefix(srv.URL, "https://") {
			return store.Check(srv, o.repair)
		}
		return nil
	}
	// The session of the moment, for the picture's requests and the input.
	via := &relay{}
	// The tile's picture: video frames and the patch channel's exact pixels.
	// It wakes the window, which does not exist yet.
	var winP atomic.Pointer[render.Window]
	var pic *compose.Picture
	pic, err = compose.New(compose.Config{Log: log.With("component", "compose"),
		Refresh: via.refresh,
		Clock:   via.clock,
		Changed: func() {
			if w := winP.Load(); w != nil {
				w.Wake()
			}
			if o.frames > 0 && pic.Stats().Updates >= uint64(o.frames) {
				cancel()
			}
		}})
	if err != nil {
		return err
	}
	defer pic.Close()
	// Each session's messages count only while it is the one playing: a
	// lost session's last messages must not reach the next one's picture.
	var current atomic.Pointer[int]
	cc := client.Config{URL: srv.URL, Tile: o.tile, Token: token, Verify: verify(srv),
		Log: log.With("component", "client")}
	dial := func(ctx context.Context) (*client.Session, error) {
		mine := new(int)
		c := cc
		c.OnPatch = func(b []byte) {
			if current.Load() == mine {
				pic.Message(b)
			}
		}
		c.OnCursor = func(cr proto.Cursor) {
			if current.Load() == mine {
				cur.shape(cr)
			}
		}
		c.OnCursorPos = func(p proto.CursorPos) {
			if current.Load() == mine {
				cur.pos(p)
			}
		}
		current.Store(mine)
		return client.Dial(ctx, c)
	}
	if cc.Tile == 0 {
		if cc.Tile, err = freeTile(ctx, cc); err != nil {
			return err
		}
		log.Info("playing the first tile nobody views", "tile", cc.Tile)
	}
	o.tile, m.last.Tile = cc.Tile, cc.Tile
	o.win.Title = fmt.Sprintf("dream tile %d", o.tile)
	sess, err := dial(ctx)
	if err != nil {
		return err
	}
	via.s.Store(sess)
	if fp := sess.Fingerprint(); fp != "" {
		if err := store.Remember(srv.HostPort, fp, token); err != nil {
			log.Warn("pairing not kept", "file", o.servers, "err", err)
		}
	}

	var win *render.Window
	var fwd *input.Forwarder
	if !o.headless {
		if !o.viewOnly {
			km, err := keysym.OpenX("")
			if err != nil {
				sess.Close()
				return fmt.Errorf("cannot read this machine's keyboard map: %w (use --view-only to watch without sending input)", err)
			}
			defer km.Close()
			fwd = input.New(via, km, log.With("component", "input"))
			o.win.Input = fwd
		}
		o.win.Overlay = m.overlay
		win, err = render.NewWindow(o.win, pic)
		if err != nil {
			sess.Close()
			return err
		}
		defer win.Close()
		winP.Store(win)
		defer winP.Store(nil) // before win.Close: no wake-ups after it
		cur.attach(win)
		defer cur.attach(nil) // before win.Close: no cursor updates after it
	}

	p := player.New(pic)
	defer p.Close()
	var away atomic.Bool // lost, and no frame of the next session yet
	handle := func(f client.Frame) error {
		if away.Swap(false) {
			log.Info("playing again", "server", srv.HostPort)
			if win != nil {
				win.SetStatus("")
			}
		}
		return p.Handle(f)
	}
	rc := &reconnector{log: log, host: srv.HostPort, dial: dial,
		play: func(ctx context.Context, s *client.Session) error { return s.Frames(ctx, handle) },
		lost: func() {
			via.s.Store(nil)
			current.Store(nil)
			pic.Reset() // before the next session's first message
			if fwd != nil {
				fwd.Reset()
			}
			cur.hide()
			away.Store(true)
			if win != nil {
				win.SetStatus(fmt.Sprintf("reconnecting to %s...", srv.HostPort))
			}
		},
		back: func(s *client.Session) { via.s.Store(s) }}
	if o.url == "" { // found on the local network: it may come back elsewhere
		rc.rediscover = func(ctx context.Context) error {
			found, err := findServer(ctx, o, store, log)
			if err != nil {
				return err
			}
			cc.URL, cc.Verify = found.URL, verify(found)
			return nil
		}
	}

	done := make(chan error, 1)
	go func() {
		err := rc.run(ctx, sess)
		cancel()
		done <- err
	}()
	var wg sync.WaitGroup
	wg.Go(func() { m.run(ctx, o.tile, p, pic, o.stats) })
	if o.snapshotEvery > 0 {
		wg.Go(func() { keepSnapshot(ctx, o.snapshotEvery, o.snapshot, pic, log) })
	}
	if win != nil {
		win.Run(ctx) // returns when ctx ends or the window is closed
		cancel()
	}
	err = <-done
	wg.Wait()
	if o.snapshot != "" {
		if serr := render.Snapshot(pic, o.snapshot); serr != nil && err == nil {
			err = serr
		}
	}
	return err
}

// parseGeometry reads WxH or WxH+X+Y into cfg and makes it windowed.
func parseGeometry(g string, cfg *render.WindowConfig) error {
	var w, h, x, y int
	var rest string
	n, _ := fmt.Sscanf(g, "%dx%d%s", &w, &h, &rest)
	ok := n >= 2 && w > 0 && h > 0
	if ok && n == 3 {
		m, _ := fmt.Sscanf(rest, "+%d+%d", &x, &y)
		ok = m == 2 && fmt.Sprintf("+%d+%d", x, y) == rest
	}
	if !ok {
		return fmt.Errorf("--geometry %q: want WIDTHxHEIGHT or WIDTHxHEIGHT+X+Y, like 960x540+960+0", g)
	}
	cfg.Windowed, cfg.Width, cfg.Height = true, w, h
	cfg.X, cfg.Y, cfg.Place = x, y, n == 3
	return nil
}

// cursorRelay hands the desktop cursor to the window, keeping what arrives
// before the window exists.
type cursorRelay struct {
	mu  sync.Mutex
	win *render.Window
	img *proto.Cursor
	at  *proto.CursorPos
}

func (r *cursorRelay) shape(c proto.Cursor) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.img = &c
	r.show(true, false)
}

func (r *cursorRelay) pos(p proto.CursorPos) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.at = &p
	r.show(false, true)
}

// hide takes the cursor away until the next position (the connection is
// lost).
func (r *cursorRelay) hide() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at != nil {
		r.at.Visible = false
		r.show(false, true)
	}
}

// attach starts showing the cursor on w (nil: stops).
func (r *cursorRelay) attach(w *render.Window) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.win = w
	r.show(true, true)
}

// show hands the newest image and/or position to the window; r.mu is held.
func (r *cursorRelay) show(img, pos bool) {
	if r.win == nil {
		return
	}
	if c := r.img; c != nil && img {
		r.win.SetCursor(c.Pixels, c.Width, c.Height, image.Pt(c.HotX, c.HotY))
	}
	if p := r.at; p != nil && pos {
		r.win.SetCursorPos(image.Pt(int(p.X), int(p.Y)), p.Visible)
	}
}

// statsLine is one line of --stats output.
type statsLine struct {
	Tile     int     `json:"tile"`
	Frames   uint64  `json:"frames"`
	FPS      float64 `json:"fps"`
	Kbps     float64 `json:"kbps"`
	DecodeMs float64 `json:"decode_ms"`
	// LatencyMs is capture to shown, when the desktop shares this clock.
	LatencyMs float64 `json:"latency_ms,omitempty"`
	Width     int     `json:"width"`
	Height    int     `json:"height"`
	// The patch lane: updates shown a second (video frames and patches),
	// patch data in kbit/s, and patch messages dropped so far (each asks the
	// desktop for the whole picture again).
	UPS          float64 `json:"ups"`
	PatchKbps    float64 `json:"patch_kbps"`
	PatchDropped uint64  `json:"patch_dropped"`
}

// meter turns the player's totals into one statsLine a second, for --stats and
// the overlay.
type meter struct {
	mu   sync.Mutex
	last statsLine
}

// run measures every second until ctx ends, printing each line when print is set.
func (m *meter) run(ctx context.Context, tile int, p *player.Player, pic *compose.Picture, print bool) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	enc := json.NewEncoder(os.Stdout)
	prev, prevAt, prevPic := p.Stats(), time.Now(), pic.Stats()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			s := p.Stats()
			dt := now.Sub(prevAt).Seconds()
			line := statsLine{Tile: tile, Frames: s.Frames, Width: s.Width, Height: s.Height,
				FPS:  round(float64(s.Frames-prev.Frames) / dt),
				Kbps: round(float64(s.Bytes-prev.Bytes) * 8 / 1000 / dt)}
			if n := s.Frames - prev.Frames; n > 0 {
				line.DecodeMs = round(float64(s.DecodeTime-prev.DecodeTime) / float64(time.Millisecond) / float64(n))
			}
			ps := pic.Stats()
			// Latency: video frames' and patch updates' together.
			if n := s.LatencyFrames - prev.LatencyFrames + ps.LatencyUpdates - prevPic.LatencyUpdates; n > 0 {
				sum := s.Latency - prev.Latency + ps.Latency - prevPic.Latency
				line.LatencyMs = round(float64(sum) / float64(time.Millisecond) / float64(n))
			}
			line.UPS = round(float64(ps.Updates-prevPic.Updates) / dt)
			line.PatchKbps = round(float64(ps.PatchBytes-prevPic.PatchBytes) * 8 / 1000 / dt)
			line.PatchDropped = ps.Dropped
			if w, h := pic.Size(); line.Width == 0 {
				line.Width, line.Height = w, h
			}
			prevPic = ps
			m.mu.Lock()
			m.last = line
			m.mu.Unlock()
			if print {
				enc.Encode(line)
			}
			prev, prevAt = s, now
		}
	}
}

// overlay is the newest line as the overlay shows it.
func (m *meter) overlay() []string {
	m.mu.Lock()
	l := m.last
	m.mu.Unlock()
	latency := "n/a"
	if l.LatencyMs > 0 {
		latency = fmt.Sprintf("%.1f ms", l.LatencyMs)
	}
	return []string{
		fmt.Sprintf("tile %d  %dx%d  %d frames", l.Tile, l.Width, l.Height, l.Frames),
		fmt.Sprintf("%.1f fps  %.0f kbit/s", l.FPS, l.Kbps),
		fmt.Sprintf("decode %.1f ms  latency %s", l.DecodeMs, latency),
		fmt.Sprintf("%.0f updates/s  patches %.0f kbit/s  dropped %d", l.UPS, l.PatchKbps, l.PatchDropped),
	}
}

func keepSnapshot(ctx context.Context, every time.Duration, path string, pic *compose.Picture, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	var last uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			img, seq, ok := pic.Snapshot()
			if !ok || seq == last {
				continue
			}
			last = seq
			if err := render.WritePNG(path, img); err != nil {
				log.Warn("snapshot", "err", err)
			}
		}
	}
}

func round(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

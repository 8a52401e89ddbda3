// Command dreambench measures how dream feels beside the VNC servers users
// would run instead, on links like the ones users have: typing latency
// (keystroke to decoded pixel on a 1920x1080 tile, split into input and
// output, for a 400x400 square and the whole screen showing a flat colour,
// text or a photo), scrolling (frames a second, Mbit/s and dropped frames per
// tile, on one tile and on three), a still desktop (CPU and packets), and one
// tile for many viewers, with dreamcomp's CPU time per frame and peak memory.
//
//	dreambench [--link RATE,DELAY]... [--samples 100] [--codecs h264,vp8] [--json] [--svg FILE]
//
// See README.md.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"dream/bench"
	"dream/internal/cli"
)

const usage = `usage: dreambench [flags]

Starts 1920x1080 desktops of its own (Xvfb), dreamcomp and the VNC servers
users would run instead (x11vnc as shipped and tuned, TigerVNC's x0vncserver),
and viewers for each, and measures them on the same desktop, application and
keystrokes. Keystroke latency: the viewer sends a key, an X client repaints a
400x400 square (then the whole screen) with the next of four pictures (a flat
colour, a page of text or a photo), and the viewer decodes the picture that
shows it; all times are on this machine's one clock.

--link RATE,DELAY (repeatable) runs everything again over a link: in a private
network namespace whose loopback is rate-limited by the kernel (tc tbf), with
DELAY added by the viewers each way. It needs root. Without --link the bench
runs on loopback as it is.

Benchmarks measure: nothing passes or fails on time.

Flags:
`

// Each measurement is one JSON line; Table says which table it belongs to.
type (
	// row is one typing scenario's result.
	row struct {
		Table    string `json:"table"` // "typing"
		Link     string `json:"link"`
		System   string `json:"system"` // dream, or the VNC server measured beside it
		Scenario string `json:"scenario"`
		Content  string `json:"content"`
		Codec    string `json:"codec"` // dream's codec, or the RFB encoding used
		Samples  int    `json:"samples"`
		Missed   int    `json:"missed"`    // keystrokes whose picture never reached the viewer (not in the samples)
		Total    [4]ms  `json:"total_ms"`  // p50, p90, p99, max
		Input    [4]ms  `json:"input_ms"`  // key sent → application saw it
		Output   [4]ms  `json:"output_ms"` // application painted → viewer decoded it
		// Each RFB encoding's p50 over a few keystrokes, when the best was
		// picked by measuring.
		Tried map[string]ms `json:"tried_p50_ms,omitempty"`
		// The server's CPU time (user+sys) per frame (or RFB update) it sent,
		// and its peak RSS.
		CPUPerFrame ms  `json:"server_cpu_ms_per_frame"`
		PeakMB      int `json:"server_peak_rss_mb"`
		// What a keystroke cost on the wire: the server's frames and
		// patches (dream) or RFB updates (VNC), without the transport's
		// headers; 0 when not known (xpra).
		BytesPerKey int `json:"bytes_per_key,omitempty"`
		// The latencies, for the chart.
		Totals []ms `json:"totals_ms"`
	}

	// scrollRow is one scrolling scenario's result.
	scrollRow struct {
		Table       string    `json:"table"` // "scrolling"
		Link        string    `json:"link"`
		System      string    `json:"system"`
		Scenario    string    `json:"scenario"`
		Codec       string    `json:"codec"`
		FPS         []float64 `json:"fps"`  // per tile: video frames its viewer decoded (VNC: RFB updates)
		UPS         []float64 `json:"ups"`  // per tile: updates its viewer showed, video and patches
		Mbps        []float64 `json:"mbps"` // per tile, sent
		Sent        uint64    `json:"frames_sent"`
		Dropped     uint64    `json:"frames_dropped"` // sent, never decoded
		CPUPerFrame ms        `json:"server_cpu_ms_per_frame"`
		PeakMB      int       `json:"server_peak_rss_mb"`
	}

	// failure is a scenario that could not be measured.
	failure struct {
		Table    string `json:"table"` // "error"
		Link     string `json:"link"`
		System   string `json:"system"`
		Scenario string `json:"scenario"`
		Error    string `json:"error"`
	}

	// loadRow is one still-desktop or many-viewers scenario's result.
	loadRow struct {
		Table          string  `json:"table"` // "load"
		Link           string  `json:"link"`
		System         string  `json:"system"`
		Scenario       string  `json:"scenario"`
		Codec          string  `json:"codec"`
		Viewers        int     `json:"viewers"`
		CPUPercent     float64 `json:"server_cpu_percent"` // of one core, over the run
		Frames         uint64  `json:"frames_sent"`
		Mbps           float64 `json:"mbps"`
		Packets        int64   `json:"packets"` // loopback's, both ways; -1 when not counted
		Wakeups        float64 `json:"server_wakeups_per_s"`
		FewestReceived int64   `json:"fewest_frames_received"`
		PeakMB         int     `json:"server_peak_rss_mb"`
	}
)

type ms float64

func toMS(d time.Duration) ms { return ms(math.Round(float64(d.Microseconds())/10) / 100) }

// options are what a measuring run does, passed on to the process that
// measures each link.
type options struct {
	systems  map[string]bool // measured; empty: all
	samples  int
	codecs   []string
	contents []bench.Content
	peers    bool
	seconds  time.Duration
	quick    bool
}

func (o options) args() []string {
	contents := make([]string, len(o.contents))
	for i, c := range o.contents {
		contents[i] = string(c)
	}
	var systems []string
	for name := range o.systems {
		systems = append(systems, name)
	}
	slices.Sort(systems)
	return []string{"--systems", strings.Join(systems, ","), "--samples", strconv.Itoa(o.samples), "--codecs", strings.Join(o.codecs, ","),
		"--contents", strings.Join(contents, ","), "--peers=" + strconv.FormatBool(o.peers),
		"--scroll-for", o.seconds.String(), "--quick=" + strconv.FormatBool(o.quick)}
}

// links is the repeatable --link flag.
type links []bench.Link

func (l *links) String() string { return fmt.Sprint(*l) }
func (l *links) Set(s string) error {
	link, err := bench.ParseLink(s)
	if err == nil {
		*l = append(*l, link)
	}
	return err
}

func main() {
	fs := flag.NewFlagSet("dreambench", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage); fs.PrintDefaults() }
	var o options
	var ls links
	fs.Var(&ls, "link", "measure over a link `RATE,DELAY` (e.g. 100mbit,2ms; unlimited for loopback as it is); repeat for several")
	fs.IntVar(&o.samples, "samples", 100, "keystrokes measured in each typing scenario")
	systems := fs.String("systems", "", "measure only these systems, comma-separated (dream, x11vnc, x11vnc-tuned, x0vncserver, x0vncserver-tuned, xpra); all when empty")
	codecs := fs.String("codecs", "h264,vp8", "dream's codecs to measure, comma-separated")
	contents := fs.String("contents", "flat,text,photo", "what the typing scenarios repaint, comma-separated")
	fs.BoolVar(&o.quick, "quick", false, "5 keystrokes and 2 s a scenario, fewer scenarios (no dream video-only unless --systems names it): proves the bench works")
	asJSON := fs.Bool("json", false, "print JSON lines instead of tables")
	markdown := fs.Bool("markdown", false, "print the tables in Markdown")
	fs.DurationVar(&o.seconds, "scroll-for", 10*time.Second, "how long each scrolling, still or viewers scenario is measured")
	fs.BoolVar(&o.peers, "peers", true, "also measure the VNC servers users would run instead (x11vnc as shipped and tuned, x0vncserver)")
	svgPath := fs.String("svg", "", "also write a chart of the typing latency distributions to `FILE.svg`")
	from := fs.String("from", "", "print the tables (and --svg) from the JSON lines of an earlier run, `FILE`, instead of measuring")
	measure := fs.String("measure", "", "(used by dreambench itself) measure over this link here and print JSON lines")
	private := fs.Bool("netns", false, "(used by dreambench itself) this process has a network namespace of its own")
	pos, _, err := cli.Parse(fs, os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		cli.Fatal("dreambench", err)
	}
	if len(pos) > 0 {
		cli.Fatal("dreambench", fmt.Errorf("unexpected argument %q", pos[0]))
	}
	if o.quick {
		o.samples, o.seconds = 5, 2*time.Second
	}
	if o.samples < 1 {
		cli.Fatal("dreambench", fmt.Errorf("--samples %d: want at least 1", o.samples))
	}
	for _, c := range strings.Split(*codecs, ",") {
		if c != "h264" && c != "vp8" {
			cli.Fatal("dreambench", fmt.Errorf("--codecs: %q is not h264 or vp8", c))
		}
		o.codecs = append(o.codecs, c)
	}
	known := []string{"dream", systemName(videoOnly), "xpra"}
	for _, p := range bench.Peers {
		known = append(known, systemName(p.Name))
	}
	if *systems != "" {
		o.systems = map[string]bool{}
		for _, s := range strings.Split(*systems, ",") {
			if !slices.Contains(known, systemName(s)) {
				cli.Fatal("dreambench", fmt.Errorf("--systems: %q is not one of %s", s, strings.Join(known, ", ")))
			}
			o.systems[systemName(s)] = true
		}
	}
	for _, s := range strings.Split(*contents, ",") {
		c, err := bench.ParseContent(s)
		if err != nil {
			cli.Fatal("dreambench", fmt.Errorf("--contents: %w", err))
		}
		o.contents = append(o.contents, c)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *measure != "" {
		link, err := bench.ParseLink(*measure)
		if err == nil {
			err = measureLink(ctx, link, o, *private, json.NewEncoder(os.Stdout))
		}
		if err != nil {
			stop()
			cli.Fatal("dreambench", err)
		}
		return
	}
	if len(ls) == 0 && *from == "" {
		ls = links{bench.Unlimited}
	}
	var lines [][]byte
	var runErr error // a link that could not be measured to its end: what it gave is printed first
	for _, link := range ls {
		out, err := runLink(ctx, link, o)
		lines = append(lines, out...)
		if err != nil {
			runErr = err
			break
		}
	}
	if *from != "" {
		b, err := os.ReadFile(*from)
		if err != nil {
			cli.Fatal("dreambench", err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			lines = append(lines, []byte(line))
			var r struct{ Link string }
			if json.Unmarshal([]byte(line), &r) == nil && !slices.ContainsFunc(ls, func(l bench.Link) bool { return l.String() == r.Link }) {
				l, err := bench.ParseLink(r.Link)
				if err != nil {
					cli.Fatal("dreambench", fmt.Errorf("%s: %w", *from, err))
				}
				ls = append(ls, l)
			}
		}
	}
	var rows []row
	var scrolls []scrollRow
	var loads []loadRow
	var failures []failure
	for _, line := range lines {
		var kind struct{ Table string }
		err := json.Unmarshal(line, &kind)
		switch {
		case err != nil:
		case kind.Table == "typing":
			var r row
			err = json.Unmarshal(line, &r)
			rows = append(rows, r)
		case kind.Table == "scrolling":
			var r scrollRow
			err = json.Unmarshal(line, &r)
			scrolls = append(scrolls, r)
		case kind.Table == "load":
			var r loadRow
			err = json.Unmarshal(line, &r)
			loads = append(loads, r)
		case kind.Table == "error":
			var r failure
			err = json.Unmarshal(line, &r)
			failures = append(failures, r)
		default:
			err = fmt.Errorf("table %q", kind.Table)
		}
		if err != nil {
			cli.Fatal("dreambench", fmt.Errorf("a measurement's line %q: %w", line, err))
		}
	}
	if *svgPath != "" {
		if err := writeChart(*svgPath, rows, len(ls) > 1); err != nil {
			cli.Fatal("dreambench", err)
		}
	}
	if *asJSON {
		for _, line := range lines {
			fmt.Printf("%s\n", line)
		}
	} else {
		printTables(os.Stdout, ls, rows, scrolls, loads, *markdown)
	}
	for _, f := range failures {
		fmt.Fprintf(os.Stderr, "dreambench: not measured over %s: %s, %s: %s\n", f.Link, f.System, f.Scenario, f.Error)
	}
	if runErr != nil {
		cli.Fatal("dreambench", runErr)
	}
	if len(failures) > 0 {
		os.Exit(1)
	}
}

// runLink measures everything over link in a process of its own: in a
// private network namespace where this user may make one (root), which a
// shaped link needs, and a private mount namespace (see privateX).
func runLink(ctx context.Context, link bench.Link, o options) ([][]byte, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := append([]string{"--measure", link.String()}, o.args()...)
	var cmd *exec.Cmd
	if unshare, err := exec.LookPath("unshare"); err == nil && os.Geteuid() == 0 {
		cmd = exec.CommandContext(ctx, unshare, append([]string{"--net", "--mount", "--", self, "--netns"}, args...)...)
	} else if link.Shaped() {
		return nil, fmt.Errorf("--link %s needs a private network namespace to shape (unshare --net, as root): run dreambench as root", link)
	} else {
		cmd = exec.CommandContext(ctx, self, args...)
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "dreambench: measuring over %s\n", link)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var lines [][]byte
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	if err := cmd.Wait(); err != nil {
		return lines, fmt.Errorf("measuring over %s: %w", link, err)
	}
	return lines, nil
}

// measureLink runs every scenario over link here, printing each result as
// soon as it is measured.
func measureLink(ctx context.Context, link bench.Link, o options, private bool, out *json.Encoder) error {
	if private {
		if err := privateX(); err != nil {
			return err
		}
		if err := link.Shape(); err != nil {
			return err
		}
	}
	name := link.String()
	progress := func(what string) { fmt.Fprintf(os.Stderr, "dreambench: %s: %s\n", name, what) }
	// measure runs one scenario and prints what it gives; a scenario that
	// fails is reported as such and the others go on.
	measure := func(system, scenario string, run func() (any, error)) error {
		progress(system + ", " + scenario)
		r, err := run()
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			progress(fmt.Sprintf("%s, %s: %v", system, scenario, err))
			r = failure{Table: "error", Link: name, System: system, Scenario: scenario, Error: err.Error()}
		}
		return out.Encode(r)
	}
	viewerCounts := []int{1, 5, 20}
	if o.quick {
		viewerCounts = []int{1, 5}
	}
	var scenarios []func() error
	add := func(system, scenario string, run func() (any, error)) {
		scenarios = append(scenarios, func() error { return measure(system, scenario, run) })
	}
	// typing adds the typing scenarios of system (labelled label in the
	// progress lines): a square and the whole screen of each content, and
	// a typed glyph.
	typing := func(label, system string, run func(bench.TypingConfig) (bench.TypingResult, error)) {
		type scenario struct {
			area    bench.Area
			content bench.Content
		}
		var all []scenario
		for _, content := range o.contents {
			all = append(all, scenario{bench.Square, content}, scenario{bench.Screen, content})
		}
		all = append(all, scenario{bench.Glyph, bench.Text})
		for _, sc := range all {
			cfg := bench.TypingConfig{Samples: o.samples, Area: sc.area, Content: sc.content, Link: link}
			if o.quick {
				cfg.Probe = 2
			}
			add(label, fmt.Sprintf("typing, %s, %s", sc.area, sc.content), func() (any, error) {
				r, err := run(cfg)
				return summarize(name, system, r), err
			})
		}
	}
	for _, codec := range o.codecs {
		if o.measures(videoOnly) && (!o.quick || o.systems[systemName(videoOnly)]) {
			typing(videoOnly+" "+codec, videoOnly, func(cfg bench.TypingConfig) (bench.TypingResult, error) {
				cfg.Codec, cfg.VideoOnly = codec, true
				return bench.Typing(ctx, cfg)
			})
		}
		if !o.measures("dream") {
			continue
		}
		add("dream "+codec, "still desktop", func() (any, error) {
			r, err := bench.Load(ctx, bench.LoadConfig{Codec: codec, Duration: o.seconds, Link: link, Packets: private})
			return summarizeLoad(name, "dream", "still desktop, 1 viewer", r), err
		})
		for _, n := range viewerCounts {
			add("dream "+codec, fmt.Sprintf("scrolling, %d viewers", n), func() (any, error) {
				r, err := bench.Load(ctx, bench.LoadConfig{Codec: codec, Viewers: n, Scroll: true, Duration: o.seconds, Link: link, Packets: private})
				return summarizeLoad(name, "dream", fmt.Sprintf("scrolling, %d viewers", n), r), err
			})
		}
		for _, tiles := range []int{1, 3} {
			add("dream "+codec, fmt.Sprintf("scrolling, %d tile(s)", tiles), func() (any, error) {
				r, err := bench.Scroll(ctx, bench.ScrollConfig{Codec: codec, Tiles: tiles, Duration: o.seconds, Link: link})
				return summarizeScroll(name, "dream", r), err
			})
		}
		typing("dream "+codec, "dream", func(cfg bench.TypingConfig) (bench.TypingResult, error) {
			cfg.Codec = codec
			return bench.Typing(ctx, cfg)
		})
	}
	if o.peers {
		for _, p := range bench.Peers {
			if !o.measures(p.Name) {
				continue
			}
			add(p.Name, "still desktop", func() (any, error) {
				r, err := bench.IdleVNC(ctx, p, bench.LoadConfig{Duration: o.seconds, Link: link, Packets: private})
				return summarizeLoad(name, p.Name, "still desktop, 1 viewer", r), err
			})
			add(p.Name, "scrolling", func() (any, error) {
				r, err := bench.ScrollVNC(ctx, p, bench.ScrollConfig{Duration: o.seconds, Link: link}, "tight")
				return summarizeScroll(name, p.Name, r), err
			})
			typing(p.Name, p.Name, func(cfg bench.TypingConfig) (bench.TypingResult, error) { return bench.TypingVNC(ctx, p, cfg) })
		}
		if o.measures("xpra") {
			add("xpra", "still desktop", func() (any, error) {
				r, err := bench.IdleXpra(ctx, bench.LoadConfig{Duration: o.seconds, Link: link, Packets: private})
				return summarizeLoad(name, "xpra", "still desktop, 1 viewer", r), err
			})
			typing("xpra", "xpra", func(cfg bench.TypingConfig) (bench.TypingResult, error) { return bench.TypingXpra(ctx, cfg) })
		}
	}
	for _, run := range scenarios {
		if err := run(); err != nil {
			return err
		}
	}
	return nil
}

// privateX gives this process's X servers a socket directory of their own.
// X servers in another network namespace do not see each other's abstract
// sockets, so Xvfb -displayfd would take a display number in use outside and
// replace its socket in the shared /tmp/.X11-unix: the other server's clients
// would connect to this one's.
func privateX() error {
	const dir = "/tmp/.X11-unix"
	if err := os.MkdirAll(dir, 0o1777); err != nil {
		return err
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=1777"); err != nil {
		return fmt.Errorf("a private %s (in a private mount namespace): %w", dir, err)
	}
	return nil
}

// systemName is a system's name as --systems takes it: "x11vnc tuned" is
// x11vnc-tuned.
func systemName(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "-") }

// measures says whether o includes the system.
func (o options) measures(system string) bool {
	return len(o.systems) == 0 || o.systems[systemName(system)]
}

// videoOnly is dream without its patch lane (dreamcomp --patches=false):
// every change as video, as before the lane.
const videoOnly = "dream video-only"

func summarizeLoad(link, system, name string, r bench.LoadResult) loadRow {
	out := loadRow{Table: "load", Link: link, System: system, Scenario: name, Codec: r.Codec, Viewers: r.Viewers, Frames: r.Server.Frames,
		PeakMB: r.Server.PeakKB / 1024, Packets: r.Packets,
		CPUPercent: math.Round(1000*r.Server.CPU.Seconds()/r.Duration.Seconds()) / 10,
		Wakeups:    math.Round(float64(r.Server.Wakeups) / r.Duration.Seconds()),
		Mbps:       math.Round(float64(r.Bytes)*8/r.Duration.Seconds()/1e4) / 100}
	for i, n := range r.Received {
		if i == 0 || n < out.FewestReceived {
			out.FewestReceived = n
		}
	}
	return out
}

func summarizeScroll(link, system string, r bench.ScrollResult) scrollRow {
	out := scrollRow{Table: "scrolling", Link: link, System: system, Scenario: fmt.Sprintf("scrolling, %d tile(s)", len(r.Tiles)), Codec: r.Codec,
		CPUPerFrame: toMS(r.Server.PerFrame()), PeakMB: r.Server.PeakKB / 1024}
	for _, t := range r.Tiles {
		out.FPS = append(out.FPS, math.Round(t.FPS*10)/10)
		out.UPS = append(out.UPS, math.Round(t.UPS*10)/10)
		out.Mbps = append(out.Mbps, math.Round(t.Mbps*10)/10)
		out.Sent += t.Sent
		out.Dropped += t.Dropped
	}
	return out
}

func summarize(link, system string, r bench.TypingResult) row {
	out := row{Table: "typing", Link: link, System: system, Scenario: string(r.Area), Content: string(r.Content), Codec: r.Codec,
		Samples: len(r.Samples), Missed: r.Missed, CPUPerFrame: toMS(r.Server.PerFrame()), PeakMB: r.Server.PeakKB / 1024}
	if r.Keys > 0 {
		out.BytesPerKey = int(r.Server.Bytes / uint64(r.Keys))
	}
	for i, p := range []float64{50, 90, 99, 100} {
		out.Total[i] = toMS(r.Percentile(p, func(l bench.Latency) time.Duration { return l.Total }))
		out.Input[i] = toMS(r.Percentile(p, func(l bench.Latency) time.Duration { return l.Input }))
		out.Output[i] = toMS(r.Percentile(p, func(l bench.Latency) time.Duration { return l.Output }))
	}
	if r.Tried != nil {
		out.Tried = map[string]ms{}
		for enc, d := range r.Tried {
			out.Tried[enc] = toMS(d)
		}
	}
	for _, l := range r.Samples {
		out.Totals = append(out.Totals, toMS(l.Total))
	}
	return out
}

// writeChart draws the typing latencies of the 400x400 square showing a
// photo (where codecs differ most; a flat colour when no photo was
// measured): one colour a system, one dash a link.
func writeChart(path string, rows []row, manyLinks bool) error {
	content := string(bench.Photo)
	if !hasContent(rows, content) && len(rows) > 0 {
		content = rows[0].Content
	}
	dashes := map[string]string{}
	var curves []bench.Series
	for _, r := range rows {
		if r.Scenario != string(bench.Square) || r.Content != content {
			continue
		}
		system := r.System
		if strings.HasPrefix(system, "dream") {
			system += " " + r.Codec
		}
		if _, ok := dashes[r.Link]; !ok {
			dashes[r.Link] = []string{"", "8 4", "2 3", "12 3 2 3"}[len(dashes)%4]
		}
		s := bench.Series{Name: system, Group: system, Dash: dashes[r.Link]}
		if manyLinks {
			s.Name += " (" + r.Link + ")"
		}
		for _, v := range r.Totals {
			s.Values = append(s.Values, time.Duration(float64(v)*float64(time.Millisecond)))
		}
		curves = append(curves, s)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = bench.LatencyChart(f, "Keystroke to picture at the viewer, 400x400 square, "+content+": share of samples within each latency", curves)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func hasContent(rows []row, content string) bool {
	for _, r := range rows {
		if r.Content == content {
			return true
		}
	}
	return false
}

func printTables(w io.Writer, ls links, rows []row, scrolls []scrollRow, loads []loadRow, markdown bool) {
	for _, link := range ls {
		name := link.String()
		if markdown {
			fmt.Fprintf(w, "### Link: %s\n\n", name)
		} else {
			fmt.Fprintf(w, "== link: %s ==\n\n", name)
		}
		t := [][]string{{"system", "scenario", "content", "codec", "n", "missed", "total p50", "p90", "p99", "max", "input p50", "output p50", "KB/key", "CPU/frame ms", "peak MB"}}
		for _, r := range rows {
			if r.Link == name {
				t = append(t, []string{r.System, r.Scenario, r.Content, r.Codec + tried(r.Tried), strconv.Itoa(r.Samples), strconv.Itoa(r.Missed),
					f1(r.Total[0]), f1(r.Total[1]), f1(r.Total[2]), f1(r.Total[3]), fmt.Sprintf("%.2f", r.Input[0]), f1(r.Output[0]),
					kb(r.BytesPerKey), perFrame(r.CPUPerFrame), mb(r.PeakMB)})
			}
		}
		table(w, t, markdown, "typing, milliseconds: keystroke sent by the viewer → picture shown by the viewer, one clock; "+
			"missed: keystrokes whose picture never reached the viewer within 5 s; "+
			"VNC codec: the RFB encoding that measured best (each one's p50 over a few keystrokes in brackets); "+
			"KB/key: what the server sent a keystroke (dream: video and patches; VNC: RFB updates; without transport headers); "+
			"CPU/frame: the server's, per update (dream: video frames and patches sent together) or RFB update it sent")
		t = [][]string{{"system", "scenario", "codec", "fps per tile", "updates/s per tile", "Mbit/s per tile", "dropped", "CPU/frame ms", "peak MB"}}
		for _, r := range scrolls {
			if r.Link == name {
				t = append(t, []string{r.System, r.Scenario, r.Codec, join(r.FPS), join(r.UPS), join(r.Mbps), fmt.Sprintf("%d of %d", r.Dropped, r.Sent),
					f1(r.CPUPerFrame), mb(r.PeakMB)})
			}
		}
		table(w, t, markdown, "scrolling 8 rows at 60 steps a second; every tile watched by a viewer that decodes all it gets; "+
			"fps: video frames decoded a second; updates/s: pictures shown a second, video frames and patches (until a region is found to move, and around it, dream sends patches); "+
			"Mbit/s: video and patches; dropped: video frames sent, not decoded; "+
			"for VNC, fps and updates/s are RFB updates a second (an update may be part of the screen) and nothing is dropped: it sends less often")
		t = [][]string{{"system", "scenario", "codec", "CPU %", "wake-ups/s", "frames sent", "Mbit/s", "packets", "fewest received", "peak MB"}}
		for _, r := range loads {
			if r.Link == name {
				packets := "–"
				if r.Packets >= 0 {
					packets = strconv.FormatInt(r.Packets, 10)
				}
				t = append(t, []string{r.System, r.Scenario, r.Codec, fmt.Sprintf("%.1f", r.CPUPercent), fmt.Sprintf("%.0f", r.Wakeups), strconv.FormatUint(r.Frames, 10),
					fmt.Sprintf("%.2f", r.Mbps), packets, strconv.FormatInt(r.FewestReceived, 10), mb(r.PeakMB)})
			}
		}
		table(w, t, markdown, "one 1920x1080 tile; dream's viewers receive but do not decode; CPU % of one core, the server's; "+
			"wake-ups/s: the server's threads put back on a CPU a second (context switches); "+
			"packets on loopback both ways, in the bench's own network namespace")
	}
}

// kb is bytes as kilobytes, "–" when not known.
func kb(b int) string {
	if b <= 0 {
		return "–"
	}
	if b < 10*1024 {
		return fmt.Sprintf("%.2f", float64(b)/1024)
	}
	return fmt.Sprintf("%.0f", float64(b)/1024)
}

// table prints t (a header row, then rows) aligned, or as a Markdown table,
// with a note below.
func table(w io.Writer, t [][]string, markdown bool, note string) {
	if markdown {
		for i, r := range t {
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
			if i == 0 {
				fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(r)))
			}
		}
		fmt.Fprintf(w, "\n%s.\n\n", strings.ToUpper(note[:1])+note[1:])
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, r := range t {
		fmt.Fprintf(tw, "%s\t\n", strings.Join(r, "\t"))
	}
	tw.Flush()
	fmt.Fprintf(w, "(%s)\n\n", note)
}

func f1(v ms) string { return fmt.Sprintf("%.1f", v) }

// perFrame is a CPU time per frame, or "–" where frames were not counted
// (xpra).
func perFrame(v ms) string {
	if v <= 0 {
		return "–"
	}
	return f1(v)
}

// tried is " (raw 6.1, tight 9.0, zrle 7.2)", or "" when nothing was tried.
func tried(m map[string]ms) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for _, enc := range bench.Encodings {
		if v, ok := m[enc]; ok {
			parts = append(parts, fmt.Sprintf("%s %.1f", enc, v))
		}
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func mb(n int) string {
	if n <= 0 {
		return "–"
	}
	return strconv.Itoa(n)
}

func join(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strings.Join(s, " ")
}

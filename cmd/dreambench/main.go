// Command dreambench measures how dream feels, for each codec: typing
// (keystroke to decoded pixel on a 1920x1080 tile, split into input and
// output, with a 400x400 square and with the whole screen changing) and
// scrolling (frames a second, Mbit/s and dropped frames per tile, on one tile
// and on three), with dreamcomp's CPU time per frame and peak memory.
//
//	dreambench [--samples 100] [--codecs h264,vp8] [--json]
//
// See README.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"dream/bench"
	"dream/internal/cli"
)

const usage = `usage: dreambench [flags]

Starts a 1920x1080 desktop of its own (Xvfb), dreamcomp's pipeline and a viewer
on loopback, and measures keystroke-to-decoded-pixel latency: the viewer sends a
key as dreamview does, an X client repaints a 400x400 square (then the whole
screen) in a new colour, and the viewer decodes the picture that shows it. All
times are on this machine's one clock. Benchmarks measure: nothing passes or
fails on time.

Flags:
`

// row is one scenario's result, as printed and as JSON.
type row struct {
	System   string `json:"system"` // dream, or the VNC server measured beside it
	Scenario string `json:"scenario"`
	Codec    string `json:"codec"`
	Samples  int    `json:"samples"`
	Total    [4]ms  `json:"total_ms"`  // p50, p90, p99, max
	Input    [4]ms  `json:"input_ms"`  // key sent → application saw it
	Output   [4]ms  `json:"output_ms"` // application painted → viewer decoded it
	// dreamcomp's CPU time (user+sys) per frame it sent, and its peak RSS.
	CPUPerFrame ms  `json:"dreamcomp_cpu_ms_per_frame"`
	PeakMB      int `json:"dreamcomp_peak_rss_mb"`
}

type ms float64

func main() {
	fs := flag.NewFlagSet("dreambench", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage); fs.PrintDefaults() }
	samples := fs.Int("samples", 100, "keystrokes measured in each scenario")
	codecs := fs.String("codecs", "h264,vp8", "codecs to measure, comma-separated")
	quick := fs.Bool("quick", false, "5 keystrokes a scenario: proves the bench works")
	asJSON := fs.Bool("json", false, "print JSON lines instead of tables")
	seconds := fs.Duration("scroll-for", 10*time.Second, "how long each scrolling scenario is measured")
	peers := fs.Bool("peers", true, "also measure the VNC servers users would run instead (x11vnc as shipped and tuned, x0vncserver) with the same typing scenario")
	svgPath := fs.String("svg", "", "also write a chart of the typing latency distributions to `FILE.svg`")
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
	if *quick {
		*samples, *seconds = 5, 2*time.Second
	}
	if *samples < 1 {
		cli.Fatal("dreambench", fmt.Errorf("--samples %d: want at least 1", *samples))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var rows []row
	var scrolls []scrollRow
	var loads []loadRow
	var curves []bench.Series
	viewerCounts := []int{1, 5, 20}
	if *quick {
		viewerCounts = []int{1, 5}
	}
	for _, codec := range strings.Split(*codecs, ",") {
		if codec != "h264" && codec != "vp8" {
			cli.Fatal("dreambench", fmt.Errorf("--codecs: %q is not h264 or vp8", codec))
		}
		idle, err := bench.Load(ctx, bench.LoadConfig{Codec: codec, Duration: *seconds})
		if err != nil {
			stop()
			cli.Fatal("dreambench", err)
		}
		loads = append(loads, summarizeLoad("idle, 1 viewer", idle))
		for _, n := range viewerCounts {
			r, err := bench.Load(ctx, bench.LoadConfig{Codec: codec, Viewers: n, Scroll: true, Duration: *seconds})
			if err != nil {
				stop()
				cli.Fatal("dreambench", err)
			}
			loads = append(loads, summarizeLoad(fmt.Sprintf("scrolling, %d viewers", n), r))
		}
		for _, tiles := range []int{1, 3} {
			r, err := bench.Scroll(ctx, bench.ScrollConfig{Codec: codec, Tiles: tiles, Duration: *seconds})
			if err != nil {
				stop()
				cli.Fatal("dreambench", err)
			}
			scrolls = append(scrolls, summarizeScroll(r))
		}
		for _, full := range []bool{false, true} {
			r, err := bench.Typing(ctx, bench.TypingConfig{Codec: codec, Samples: *samples, Full: full})
			if err != nil {
				stop()
				cli.Fatal("dreambench", err)
			}
			name := "typing, 400x400 square"
			if full {
				name = "typing, whole screen"
			}
			rows = append(rows, summarize("dream", name, r))
			curves = append(curves, curve("dream "+codec+", "+strings.TrimPrefix(name, "typing, "), r))
		}
	}
	if *peers {
		for _, p := range bench.Peers {
			for _, full := range []bool{false, true} {
				r, err := bench.TypingVNC(ctx, p, bench.TypingConfig{Samples: *samples, Full: full})
				if err != nil {
					stop()
					cli.Fatal("dreambench", err)
				}
				name := "typing, 400x400 square"
				if full {
					name = "typing, whole screen"
				}
				rows = append(rows, summarize(p.Name, name, r))
				curves = append(curves, curve(p.Name+", "+strings.TrimPrefix(name, "typing, "), r))
			}
		}
	}
	if *svgPath != "" {
		f, err := os.Create(*svgPath)
		if err == nil {
			err = bench.LatencyChart(f, "Keystroke to picture at the viewer: share of samples within each latency", curves)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			cli.Fatal("dreambench", err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		for _, r := range rows {
			enc.Encode(r)
		}
		for _, r := range scrolls {
			enc.Encode(r)
		}
		for _, r := range loads {
			enc.Encode(r)
		}
		return
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "system\tscenario\tcodec\tn\ttotal p50\tp90\tp99\tmax\tinput p50\toutput p50\tCPU/frame\tpeak MB\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.2f\t%.1f\t%.1f\t%d\t\n", r.System, r.Scenario, r.Codec, r.Samples,
			r.Total[0], r.Total[1], r.Total[2], r.Total[3], r.Input[0], r.Output[0], r.CPUPerFrame, r.PeakMB)
	}
	tw.Flush()
	fmt.Println("(milliseconds; keystroke sent by the viewer → picture decoded by the viewer, one clock; VNC: RFB KeyEvent → Raw update read, CPU/frame not counted)")
	fmt.Println()
	tw = tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tcodec\tfps per tile\tMbit/s per tile\tdropped\tCPU/frame ms\tpeak MB\t")
	for _, r := range scrolls {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d of %d\t%.1f\t%d\t\n", r.Scenario, r.Codec, join(r.FPS), join(r.Mbps), r.Dropped, r.Sent, r.CPUPerFrame, r.PeakMB)
	}
	tw.Flush()
	fmt.Println("(scrolling 8 rows at 60 steps a second; every tile watched by a viewer that decodes all it gets)")
	fmt.Println()
	tw = tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tcodec\tdreamcomp CPU %\tframes sent\tMbit/s\tfewest received\tpeak MB\t")
	for _, r := range loads {
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%d\t%.2f\t%d\t%d\t\n", r.Scenario, r.Codec, r.CPUPercent, r.Frames, r.Mbps, r.FewestReceived, r.PeakMB)
	}
	tw.Flush()
	fmt.Println("(one 1920x1080 tile; viewers receive but do not decode; CPU % of one core)")
}

// loadRow is one idle or viewers scenario's result.
type loadRow struct {
	Scenario       string  `json:"scenario"`
	Codec          string  `json:"codec"`
	Viewers        int     `json:"viewers"`
	CPUPercent     float64 `json:"dreamcomp_cpu_percent"` // of one core, over the run
	Frames         uint64  `json:"frames_sent"`
	Mbps           float64 `json:"mbps"`
	FewestReceived int64   `json:"fewest_frames_received"`
	PeakMB         int     `json:"dreamcomp_peak_rss_mb"`
}

func summarizeLoad(name string, r bench.LoadResult) loadRow {
	out := loadRow{Scenario: name, Codec: r.Codec, Viewers: r.Viewers, Frames: r.Server.Frames, PeakMB: r.Server.PeakKB / 1024,
		CPUPercent: math.Round(1000*r.Server.CPU.Seconds()/r.Duration.Seconds()) / 10,
		Mbps:       math.Round(float64(r.Bytes)*8/r.Duration.Seconds()/1e4) / 100}
	for i, n := range r.Received {
		if i == 0 || n < out.FewestReceived {
			out.FewestReceived = n
		}
	}
	return out
}

// scrollRow is one scrolling scenario's result.
type scrollRow struct {
	Scenario    string    `json:"scenario"`
	Codec       string    `json:"codec"`
	FPS         []float64 `json:"fps"`  // per tile, decoded by its viewer
	Mbps        []float64 `json:"mbps"` // per tile, sent
	Sent        uint64    `json:"frames_sent"`
	Dropped     uint64    `json:"frames_dropped"` // sent, never decoded
	CPUPerFrame ms        `json:"dreamcomp_cpu_ms_per_frame"`
	PeakMB      int       `json:"dreamcomp_peak_rss_mb"`
}

func summarizeScroll(r bench.ScrollResult) scrollRow {
	out := scrollRow{Scenario: fmt.Sprintf("scrolling, %d tile(s)", len(r.Tiles)), Codec: r.Codec,
		CPUPerFrame: ms(float64(r.Server.PerFrame().Microseconds()) / 1000), PeakMB: r.Server.PeakKB / 1024}
	for _, t := range r.Tiles {
		out.FPS = append(out.FPS, math.Round(t.FPS*10)/10)
		out.Mbps = append(out.Mbps, math.Round(t.Mbps*10)/10)
		out.Sent += t.Sent
		out.Dropped += t.Dropped
	}
	return out
}

func join(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strings.Join(s, " ")
}

// curve is a typing result's totals, for the chart.
func curve(name string, r bench.TypingResult) bench.Series {
	totals := make([]time.Duration, len(r.Samples))
	for i, l := range r.Samples {
		totals[i] = l.Total
	}
	return bench.Series{Name: name, Values: totals}
}

func summarize(system, name string, r bench.TypingResult) row {
	out := row{System: system, Scenario: name, Codec: r.Codec, Samples: len(r.Samples),
		CPUPerFrame: ms(float64(r.Server.PerFrame().Microseconds()) / 1000), PeakMB: r.Server.PeakKB / 1024}
	for i, p := range []float64{50, 90, 99, 100} {
		get := func(pick func(bench.Latency) time.Duration) ms {
			return ms(float64(r.Percentile(p, pick).Microseconds()) / 1000)
		}
		out.Total[i] = get(func(l bench.Latency) time.Duration { return l.Total })
		out.Input[i] = get(func(l bench.Latency) time.Duration { return l.Input })
		out.Output[i] = get(func(l bench.Latency) time.Duration { return l.Output })
	}
	return out
}

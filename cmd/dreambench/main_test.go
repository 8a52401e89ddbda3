package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuick runs the built command as a user would, in its quick mode over a
// shaped link (as root: the suite runs as root, in a network namespace of its
// own; another user gets loopback as it is): one JSON line a measurement, with
// every keystroke measured, and a chart.
func TestQuick(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "dreambench") // it finds dreamcomp beside it
	if out, err := exec.Command("go", "build", "-o", dir+"/", ".", "../dreamcomp").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	link, private := "unlimited", os.Geteuid() == 0
	if private {
		link = "100mbit,2ms"
	}
	svg := filepath.Join(dir, "typing.svg")
	cmd := exec.Command(bin, "--quick", "--codecs", "vp8", "--contents", "photo", "--link", link, "--json", "--svg", svg)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dreambench --quick: %v\n%s", err, stderr.String())
	}
	var rows []row
	var scrolls []scrollRow
	var loads []loadRow
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		var kind struct{ Table, Link string }
		err := json.Unmarshal(sc.Bytes(), &kind)
		switch {
		case err != nil:
		case kind.Link != link:
			err = fmt.Errorf("link %q, want %q", kind.Link, link)
		case kind.Table == "typing":
			var r row
			err = json.Unmarshal(sc.Bytes(), &r)
			rows = append(rows, r)
		case kind.Table == "scrolling":
			var r scrollRow
			err = json.Unmarshal(sc.Bytes(), &r)
			scrolls = append(scrolls, r)
		case kind.Table == "load":
			var r loadRow
			err = json.Unmarshal(sc.Bytes(), &r)
			loads = append(loads, r)
		default:
			err = fmt.Errorf("table %q", kind.Table)
		}
		if err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
	}
	// dream (vp8), the four VNC servers (x11vnc and x0vncserver, as shipped and
	// tuned) and xpra; each types into a square, the whole screen and a glyph.
	const vnc, areas = 4, 3
	if len(rows) != areas*(1+vnc+1) || len(scrolls) != 2+vnc || len(loads) != 3+vnc+1 {
		t.Fatalf("%d typing, %d scrolling and %d load rows; want %d (each system, square, whole screen and glyph), %d (dream on 1 and 3 tiles, each VNC server) and %d (dream still, 1 and 5 viewers; each VNC server and xpra still):\n%s",
			len(rows), len(scrolls), len(loads), areas*(1+vnc+1), 2+vnc, 3+vnc+1, out)
	}
	if l := loads[0]; l.System != "dream" || l.Frames != 0 || private && l.Packets < 0 {
		t.Errorf("dream's still desktop %+v: want nothing sent, and packets counted in a private namespace", l)
	}
	if l := loads[2]; l.Viewers != 5 || l.Frames > 0 && l.FewestReceived <= 0 {
		t.Errorf("5 viewers %+v: want each receiving what was sent", l)
	}
	for _, l := range loads[3 : 3+vnc] {
		if l.System == "dream" || l.Codec != "tight" || private && l.Packets < 0 {
			t.Errorf("VNC still desktop %+v: want a VNC server, tight, packets counted", l)
		}
	}
	if l := loads[3+vnc]; l.System != "xpra" || private && l.Packets < 0 {
		t.Errorf("xpra's still desktop %+v: want packets counted", l)
	}
	// Frames sent, a rate for each tile (on a loaded machine a viewer may
	// decode none of them in two seconds: that is a measurement, not a failure).
	for i, r := range scrolls {
		tiles := 1
		if i == 1 {
			tiles = 3
		}
		if len(r.FPS) != tiles || r.Sent == 0 {
			t.Errorf("scrolling row %+v: want %d tiles and frames sent", r, tiles)
		}
	}
	for _, r := range rows[:areas] {
		content := "photo"
		if r.Scenario == "glyph" {
			content = "text"
		}
		if r.System != "dream" || r.Codec != "vp8" || r.Content != content || !fiveKeys(r) || r.Total[0] <= 0 || r.Total[3] < r.Total[0] ||
			len(r.Totals) != r.Samples || r.BytesPerKey <= 0 {
			t.Errorf("row %+v: want 5 vp8 keystrokes of the %s with p50 ≤ max, and their bytes", r, content)
		}
	}
	for _, r := range rows[areas : areas+areas*vnc] {
		if !fiveKeys(r) || r.Total[0] <= 0 || len(r.Tried) != 3 || r.Tried[r.Codec] <= 0 || r.CPUPerFrame <= 0 && r.PeakMB <= 0 || r.BytesPerKey <= 0 {
			t.Errorf("VNC row %+v: want 5 samples with the encoding picked among the three tried, and the server's usage", r)
		}
		for enc, p50 := range r.Tried {
			if p50 < r.Tried[r.Codec] {
				t.Errorf("VNC row %+v: %s measured better than the %s picked", r, enc, r.Codec)
			}
		}
	}
	for _, r := range rows[areas+areas*vnc:] {
		if r.System != "xpra" || !fiveKeys(r) || r.Total[0] <= 0 || r.PeakMB <= 0 {
			t.Errorf("xpra row %+v: want 5 keystrokes and the server's peak memory", r)
		}
	}
	if b, err := os.ReadFile(svg); err != nil || strings.Count(string(b), "<polyline") != 2+vnc {
		t.Errorf("--svg: %v; want a chart with a curve for each of the six systems", err)
	}
	if _, err := exec.Command(bin, "--codecs", "av1").Output(); err == nil {
		t.Error("dreambench --codecs av1 succeeded")
	}
	if _, err := exec.Command(bin, "--link", "fast").Output(); err == nil {
		t.Error("dreambench --link fast succeeded")
	}
	if _, err := exec.Command(bin, "--systems", "vnc").Output(); err == nil {
		t.Error("dreambench --systems vnc succeeded")
	}
}

// fiveKeys says whether r accounts for the quick mode's 5 keystrokes: each
// measured, or missed (its picture never came: on a loaded machine that is a
// measurement too), and at least one measured.
func fiveKeys(r row) bool { return r.Samples+r.Missed == 5 && r.Samples > 0 }

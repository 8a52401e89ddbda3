package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuick runs the built command as a user would, in its quick mode: one
// JSON line a scenario, with every keystroke measured.
func TestQuick(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "dreambench") // it finds dreamcomp beside it
	if out, err := exec.Command("go", "build", "-o", dir+"/", ".", "../dreamcomp").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	svg := filepath.Join(dir, "typing.svg")
	cmd := exec.Command(bin, "--quick", "--codecs", "vp8", "--json", "--svg", svg)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		ls, _ := os.ReadDir(dir)
		t.Fatalf("dreambench --quick: %v\n%s\n%v", err, stderr.String(), ls)
	}
	var rows []row
	var scrolls []scrollRow
	var loads []loadRow
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"fewest_frames_received"`) {
			var r loadRow
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			loads = append(loads, r)
			continue
		}
		if strings.Contains(sc.Text(), `"fps"`) {
			var r scrollRow
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			scrolls = append(scrolls, r)
			continue
		}
		var r row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		rows = append(rows, r)
	}
	if len(rows) != 8 || len(scrolls) != 2 {
		t.Fatalf("%d typing and %d scrolling scenarios; want 8 (dream and three VNC servers, square and whole screen) and 2:\n%s", len(rows), len(scrolls), out)
	}
	if len(loads) != 3 || loads[0].Frames != 0 || loads[2].Viewers != 5 || loads[2].Frames > 0 && loads[2].FewestReceived <= 0 {
		t.Errorf("idle and viewers rows %+v: want an idle row sending nothing, then 1 and 5 viewers, each receiving what was sent", loads)
	}
	// Frames sent, a rate for each tile (on a loaded machine a viewer may
	// decode none of them in two seconds: that is a measurement, not a failure).
	for i, r := range scrolls {
		if len(r.FPS) != []int{1, 3}[i] || r.Sent == 0 {
			t.Errorf("scrolling row %+v: want %d tiles and frames sent", r, []int{1, 3}[i])
		}
	}
	for _, r := range rows[2:] {
		if r.Samples != 5 || r.Total[0] <= 0 {
			t.Errorf("VNC row %+v: want 5 samples", r)
		}
	}
	for _, r := range rows[:2] {
		if r.System != "dream" || r.Codec != "vp8" || r.Samples != 5 || r.Total[0] <= 0 || r.Total[3] < r.Total[0] {
			t.Errorf("row %+v: want 5 vp8 samples with p50 ≤ max", r)
		}
	}
	if b, err := os.ReadFile(svg); err != nil || !strings.Contains(string(b), "<polyline") {
		t.Errorf("--svg: %v; want a chart with curves", err)
	}
	if _, err := exec.Command(bin, "--codecs", "av1").Output(); err == nil {
		t.Error("dreambench --codecs av1 succeeded")
	}
}

package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var (
	builtOnce sync.Once
	built     string
	buildErr  error
)

// dreamcompBin builds dreamcomp once for the tests that run it.
func dreamcompBin(t *testing.T) string {
	t.Helper()
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bench-bin-")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, "dreamcomp")
		if out, err := exec.Command("go", "build", "-o", built, "../cmd/dreamcomp").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

// TestTypingQuick runs the typing scenario briefly (the bench's quick mode):
// every keystroke comes back as a change the viewer decodes, and its parts add
// up. It measures; it does not judge the times.
func TestTypingQuick(t *testing.T) {
	var cpu time.Duration
	for _, area := range Areas {
		r, err := Typing(context.Background(), TypingConfig{Codec: "h264", Samples: 5, Area: area, Dreamcomp: dreamcompBin(t)})
		if err != nil {
			t.Fatalf("%s: %v", area, err)
		}
		if len(r.Samples) != 5 {
			t.Fatalf("%s: %d samples; want 5", area, len(r.Samples))
		}
		for i, s := range r.Samples {
			if s.Input <= 0 || s.Output <= 0 || s.Total < s.Input+s.Output-time.Millisecond {
				t.Errorf("%s, keystroke %d: %+v: the parts do not add up", area, i, s)
			}
		}
		// CPU time is counted in the kernel's 10 ms ticks: five glyphs may
		// cost less than one. All the areas together cost some.
		cpu += r.Server.CPU
		if r.Server.CPU < 0 || r.Server.PeakKB <= 0 || r.Server.Frames < 5 {
			t.Errorf("%s: dreamcomp's usage %+v: want CPU time, a peak RSS and at least an update a keystroke", area, r.Server)
		}
		if r.Server.Bytes == 0 || r.Keys != len(r.Samples)+r.Missed+1 {
			t.Errorf("%s: %d bytes for %d keystrokes; want the bytes sent and every keystroke counted", area, r.Server.Bytes, r.Keys)
		}
		t.Logf("%s: p50 total %v (input %v, output %v); dreamcomp %v an update, %d bytes a keystroke, peak %d MB", area,
			r.Percentile(50, func(l Latency) time.Duration { return l.Total }),
			r.Percentile(50, func(l Latency) time.Duration { return l.Input }),
			r.Percentile(50, func(l Latency) time.Duration { return l.Output }), r.Server.PerFrame(), r.Server.Bytes/uint64(r.Keys), r.Server.PeakKB/1024)
	}
	if cpu <= 0 {
		t.Errorf("dreamcomp used no CPU time in all the typing scenarios: its usage is not measured")
	}
}

// TestScrollQuick runs the scrolling scenario briefly on two tiles, one
// scrolling: the moving tile delivers frames, the still one next to none.
func TestScrollQuick(t *testing.T) {
	r, err := Scroll(context.Background(), ScrollConfig{Codec: "vp8", Tiles: 2, Moving: 1, Duration: 2 * time.Second, Rate: 30, Dreamcomp: dreamcompBin(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Tiles) != 2 {
		t.Fatalf("%d tiles reported; want 2", len(r.Tiles))
	}
	moving, still := r.Tiles[0], r.Tiles[1]
	if moving.Sent == 0 || moving.Mbps <= 0 || moving.Decoded > moving.Sent {
		t.Errorf("the scrolling tile: %+v; want frames sent, no more decoded than sent, and a bitrate", moving)
	}
	if still.Sent > 1 {
		t.Errorf("the still tile sent %d frames while the other scrolled", still.Sent)
	}
	t.Logf("scrolling tile: %.1f fps, %.1f Mbit/s, %d of %d decoded; dreamcomp %v a frame", moving.FPS, moving.Mbps, moving.Decoded, moving.Sent, r.Server.PerFrame())
}

// TestLoadQuick: a still tile costs dreamcomp next to nothing and sends no
// frame; three viewers of a scrolling tile each receive its frames.
func TestLoadQuick(t *testing.T) {
	idle, err := Load(context.Background(), LoadConfig{Codec: "h264", Viewers: 1, Duration: 2 * time.Second, Dreamcomp: dreamcompBin(t)})
	if err != nil {
		t.Fatal(err)
	}
	if idle.Server.Frames != 0 || idle.Bytes != 0 {
		t.Errorf("a still desktop sent %d frames, %d bytes in %v", idle.Server.Frames, idle.Bytes, idle.Duration)
	}
	busy, err := Load(context.Background(), LoadConfig{Codec: "h264", Viewers: 3, Scroll: true, Duration: 2 * time.Second, Dreamcomp: dreamcompBin(t)})
	if err != nil {
		t.Fatal(err)
	}
	if busy.Server.Frames == 0 {
		t.Fatalf("a scrolling tile sent no frame in %v", busy.Duration)
	}
	for i, n := range busy.Received {
		if n == 0 {
			t.Errorf("viewer %d received none of the %d frames a scrolling tile sent in %v", i+1, busy.Server.Frames, busy.Duration)
		}
	}
	t.Logf("idle: dreamcomp %v CPU in %v; 3 viewers of a scrolling tile: %d frames sent, %v CPU, peak %d MB",
		idle.Server.CPU, idle.Duration, busy.Server.Frames, busy.Server.CPU, busy.Server.PeakKB/1024)
}

// TestTypingVNCQuick: the typing scenario against each VNC peer: the
// keystrokes come back through the RFB client (a peer's miss is counted, not
// a failure: see TestTypingXpraQuick).
func TestTypingVNCQuick(t *testing.T) {
	for _, p := range Peers {
		r, err := TypingVNC(context.Background(), p, TypingConfig{Samples: 3})
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		if len(r.Samples) == 0 || len(r.Samples)+r.Missed != 3 {
			t.Fatalf("%s: %d keystrokes seen and %d missed; want 3 counted, at least one seen", p.Name, len(r.Samples), r.Missed)
		}
		t.Logf("%s: p50 total %v, %d missed", p.Name, r.Percentile(50, func(l Latency) time.Duration { return l.Total }), r.Missed)
	}
}

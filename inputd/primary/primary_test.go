package primary

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"dream/inputd/config"
	"dream/inputd/server"
	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
	"dream/proto/synergy"
)

// recorder is a screen that records what the server sends it, as text
// ("DKDN 97 0 38").
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) join(t *testing.T, addr, name string, w, h int) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := synergy.ReadFrame(c, nil); err != nil { // the greeting
		t.Fatal(err)
	}
	answer := synergy.Hello{Protocol: "Barrier", Major: 1, Minor: 6, Name: name}
	if _, err := c.Write(synergy.AppendFrame(nil, answer.AppendMarshal(nil, true))); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			b, err := synergy.ReadFrame(c, nil)
			if err != nil {
				return
			}
			m, err := synergy.Unmarshal(b)
			if err != nil {
				continue
			}
			switch m.Code {
			case "QINF":
				synergy.WriteMessage(c, synergy.New("DINF", 0, 0, w, h, 0, 0, 0))
			case "CALV":
				synergy.WriteMessage(c, synergy.New("CALV"))
			case "CIAK", "CROP", "DSOP":
			default:
				r.mu.Lock()
				r.msgs = append(r.msgs, strings.TrimSpace(fmt.Sprintln(append([]any{m.Code}, m.Fields...)...)))
				r.mu.Unlock()
			}
		}
	}()
}

// take waits until the screen has received a message starting with prefix,
// and returns every message up to it, which are then forgotten.
func (r *recorder) take(t *testing.T, prefix string) []string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		r.mu.Lock()
		for i, m := range r.msgs {
			if strings.HasPrefix(m, prefix) {
				got := r.msgs[:i+1]
				r.msgs = append([]string(nil), r.msgs[i+1:]...)
				r.mu.Unlock()
				return got
			}
		}
		r.mu.Unlock()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	t.Fatalf("no %q came; the screen got %q", prefix, r.msgs)
	return nil
}

// TestWhatScreensReceive: keys, repeats, modifiers and the wheel as the
// protocol carries them, from this machine's keyboard and mouse (XTEST).
func TestWhatScreensReceive(t *testing.T) {
	x := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 480})
	d := x.Display()
	conf, err := config.Parse(strings.NewReader("section: screens\n\tsrv:\n\tcli:\nend\nsection: links\n\tsrv:\n\t\tright = cli\n\tcli:\n\t\tleft = srv\nend\n"))
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{Screens: conf})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Config{Display: d, Name: "srv", Screens: conf, Server: srv})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); srv.Serve(ctx, ln) }()
	go func() {
		defer wg.Done()
		if err := p.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	defer wg.Wait()
	defer cancel()

	var cli recorder
	cli.join(t, ln.Addr().String(), "cli", 1000, 500)
	for deadline := time.Now().Add(5 * time.Second); len(srv.Screens()) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("cli did not join")
		}
	}
	time.Sleep(100 * time.Millisecond) // Run has its X connections open

	// The right edge at 240 of 480 enters cli's left edge at 250 of 500.
	xvfbtest.Xdotool(t, d, "mousemove", "635", "240")
	xvfbtest.Xdotool(t, d, "mousemove_relative", "--", "10", "0")
	if got := cli.take(t, "CINN"); got[len(got)-1] != "CINN 0 250 1 0" && got[len(got)-1] != "CINN 0 250 1 8192" {
		t.Errorf("entering cli: %q; want CINN 0 250 1 0", got)
	}
	xvfbtest.Xdotool(t, d, "mousemove_relative", "--", "30", "-50")
	if got := cli.take(t, "DMMV"); got[len(got)-1] != "DMMV 30 200" {
		t.Errorf("moving on cli: %q; want DMMV 30 200", got)
	}

	// Shift+a: Shift_L (0xEFE1, read back signed), then A with the Shift mask;
	// the releases (xdotool lets Shift go first) name the keys pressed.
	xvfbtest.Xdotool(t, d, "key", "shift+a")
	want := []string{"DKDN -4127 0 50", "DKDN 65 1 38", "DKUP -4127 1 50", "DKUP 65 0 38"}
	if got := cli.take(t, "DKUP 65"); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("shift+a: %q; want %q", got, want)
	}
	// A held key repeats (X's auto-repeat, 660 ms then 25 a second) as DKRP.
	xvfbtest.Xdotool(t, d, "keydown", "b", "sleep", "1", "keyup", "b")
	got := cli.take(t, "DKUP 98")
	repeats := 0
	for _, m := range got[1 : len(got)-1] {
		if m == "DKRP 98 0 1 56" {
			repeats++
		} else {
			t.Errorf("holding b: %q among repeats", m)
		}
	}
	if got[0] != "DKDN 98 0 56" || repeats < 3 {
		t.Errorf("holding b for 1 s: %q; want DKDN, several DKRP, DKUP", got)
	}
	// The wheel: a notch is 120, up positive.
	xvfbtest.Xdotool(t, d, "click", "4", "click", "5")
	if got := cli.take(t, "DMWM 0 -120"); strings.Join(got, ",") != "DMWM 0 120,DMWM 0 -120" {
		t.Errorf("wheel up, down: %q", got)
	}
}

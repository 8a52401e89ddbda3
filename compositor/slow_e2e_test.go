package compositor_test

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"

	"dream/compositor"
	"dream/internal/testpattern"
	"dream/viewer/client"
)

// pausable is a viewer's network that can stop reading, as a laptop whose
// process is stopped or whose Wi-Fi stalls: what comes meanwhile waits in
// the socket's buffer, and past it is lost.
type pausable struct {
	*stdnet.Net
	mu     sync.Mutex
	resume chan struct{} // closed to go on; nil while reading
}

func (p *pausable) pause() {
	p.mu.Lock()
	p.resume = make(chan struct{})
	p.mu.Unlock()
}

func (p *pausable) play() {
	p.mu.Lock()
	close(p.resume)
	p.resume = nil
	p.mu.Unlock()
}

func (p *pausable) wait() {
	p.mu.Lock()
	r := p.resume
	p.mu.Unlock()
	if r != nil {
		<-r
	}
}

func (p *pausable) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := p.Net.ListenUDP(network, laddr)
	return pausedUDP{c, p}, err
}

type pausedUDP struct {
	transport.UDPConn
	p *pausable
}

func (c pausedUDP) ReadFrom(b []byte) (int, net.Addr, error) {
	c.p.wait()
	return c.UDPConn.ReadFrom(b)
}

// TestSlowViewer: one of two viewers of a moving tile stops reading for 5 s.
// The other's frame rate holds meanwhile; the slow one plays again once it
// reads again (a keyframe brings it back).
func TestSlowViewer(t *testing.T) {
	checkGoroutines(t)
	_, display, url := serveDesktop(t, 640, 360, 1, compositor.Config{VideoOnly: true})
	pat, err := testpattern.Start(display, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer pat.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n, err := stdnet.NewNet()
	if err != nil {
		t.Fatal(err)
	}
	net := &pausable{Net: n}
	slow := startViewerWith(t, ctx, client.Config{URL: url, Tile: 1, Net: net}, false)
	steady := startViewer(t, ctx, url, 1)

	var steps atomic.Int64
	moving := make(chan struct{})
	go func() {
		defer close(moving)
		tick := time.NewTicker(time.Second / 30)
		defer tick.Stop()
		for ctx.Err() == nil {
			<-tick.C
			if pat.Scroll(pat.Tile(1), 4*int(steps.Add(1))) != nil {
				return
			}
		}
	}()
	defer func() { cancel(); <-moving }()
	rate := func(v *viewer, d time.Duration) float64 {
		before := v.frames()
		time.Sleep(d)
		return float64(v.frames()-before) / d.Seconds()
	}
	time.Sleep(time.Second) // both playing
	alone := rate(steady, 2*time.Second)
	net.pause()
	during := rate(steady, 5*time.Second)
	stalled := slow.frames()
	net.play()
	t.Logf("the steady viewer: %.1f fps before, %.1f while the other stopped reading", alone, during)
	if during < 0.8*alone && !raceEnabled { // under the race detector only the recovery is checked
		t.Errorf("the steady viewer fell from %.1f to %.1f fps while another viewer of its tile stopped reading", alone, during)
	}
	deadline := time.Now().Add(3 * time.Second)
	for slow.frames() < stalled+10 {
		if time.Now().After(deadline) {
			t.Fatalf("the slow viewer decoded %d frames in the 3 s after it read again; want it playing", slow.frames()-stalled)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

package compositor_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"

	"dream/compositor"
	"dream/viewer/client"
)

// counted is a viewer's network that counts the UDP packets it carries,
// both ways.
type counted struct {
	*stdnet.Net
	packets *atomic.Int64
}

func (c counted) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	conn, err := c.Net.ListenUDP(network, laddr)
	return countedUDP{conn, c.packets}, err
}

type countedUDP struct {
	transport.UDPConn
	n *atomic.Int64
}

func (c countedUDP) count(err error) {
	if err == nil {
		c.n.Add(1)
	}
}

func (c countedUDP) ReadFrom(b []byte) (int, net.Addr, error) {
	n, a, err := c.UDPConn.ReadFrom(b)
	c.count(err)
	return n, a, err
}

func (c countedUDP) ReadFromUDP(b []byte) (int, *net.UDPAddr, error) {
	n, a, err := c.UDPConn.ReadFromUDP(b)
	c.count(err)
	return n, a, err
}

func (c countedUDP) ReadMsgUDP(b, oob []byte) (int, int, int, *net.UDPAddr, error) {
	n, oobn, flags, a, err := c.UDPConn.ReadMsgUDP(b, oob)
	c.count(err)
	return n, oobn, flags, a, err
}

func (c countedUDP) WriteTo(b []byte, a net.Addr) (int, error) {
	n, err := c.UDPConn.WriteTo(b, a)
	c.count(err)
	return n, err
}

func (c countedUDP) WriteToUDP(b []byte, a *net.UDPAddr) (int, error) {
	n, err := c.UDPConn.WriteToUDP(b, a)
	c.count(err)
	return n, err
}

func (c countedUDP) WriteMsgUDP(b, oob []byte, a *net.UDPAddr) (int, int, error) {
	n, oobn, err := c.UDPConn.WriteMsgUDP(b, oob, a)
	c.count(err)
	return n, oobn, err
}

func (c countedUDP) Write(b []byte) (int, error) {
	n, err := c.UDPConn.Write(b)
	c.count(err)
	return n, err
}

// TestStillDesktopIsQuiet: three viewers of a still desktop, on the patch
// lane as dreamview is, exchange at most 2 packets a second each with it,
// both ways: ICE's consent checks and RTCP's reports at their slowest, and
// nothing else.
func TestStillDesktopIsQuiet(t *testing.T) {
	_, _, url := serveDesktop(t, 3*320, 240, 3, compositor.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var packets [3]atomic.Int64
	var views [3]*viewer
	for i := range views {
		n, err := stdnet.NewNet()
		if err != nil {
			t.Fatal(err)
		}
		views[i] = startViewerWith(t, ctx, client.Config{URL: url, Tile: i + 1, Net: counted{n, &packets[i]}}, true)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, v := range views {
		for {
			if _, _, ok := v.pic.Snapshot(); ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("viewer of tile %d has no picture after 10 s", v.tile)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	time.Sleep(2 * time.Second) // the first pictures, and what follows them, have gone by
	var before [3]int64
	for i := range packets {
		before[i] = packets[i].Load()
	}
	const d = 10 * time.Second
	time.Sleep(d)
	for i := range packets {
		n := packets[i].Load() - before[i]
		rate := float64(n) / d.Seconds()
		t.Logf("viewer of tile %d: %d packets in %v (%.1f a second)", i+1, n, d, rate)
		if rate > 2 {
			t.Errorf("viewer of tile %d exchanged %.1f packets a second with a still desktop; want at most 2", i+1, rate)
		}
	}
}

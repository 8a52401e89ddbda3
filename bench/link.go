package bench

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
)

// Link is the network between the viewers and the server: a rate, shaped on
// loopback by the kernel, and a one-way delay, added by the viewer in both
// directions. The zero Link is loopback as it is.
type Link struct {
	Rate  string        // tc's syntax, e.g. "300mbit"; "" is unshaped
	Delay time.Duration // each way
	// Loss is the share of UDP datagrams lost each way, at random (dream's
	// viewers only: a VNC viewer's TCP stream loses nothing).
	Loss float64
}

// Links users have, from a wired desktop to ordinary Wi-Fi.
var (
	Unlimited = Link{}
	GoodWiFi  = Link{Rate: "300mbit", Delay: time.Millisecond}
	WiFi      = Link{Rate: "100mbit", Delay: 2 * time.Millisecond}
)

var rateSyntax = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(bit|kbit|mbit|gbit)$`)

// ParseLink reads "unlimited", "RATE" or "RATE,DELAY" (e.g. "100mbit,2ms").
func ParseLink(s string) (Link, error) {
	if s == "unlimited" || s == "" {
		return Unlimited, nil
	}
	rate, delay, hasDelay := strings.Cut(s, ",")
	var l Link
	if rate != "unlimited" {
		if !rateSyntax.MatchString(rate) {
			return l, fmt.Errorf("link %q: the rate %q is not like 100mbit (bit, kbit, mbit or gbit a second)", s, rate)
		}
		l.Rate = rate
	}
	if hasDelay {
		d, err := time.ParseDuration(delay)
		if err != nil || d < 0 || d > 10*time.Second {
			return l, fmt.Errorf("link %q: the delay %q is not like 2ms", s, delay)
		}
		l.Delay = d
	}
	return l, nil
}

func (l Link) String() string {
	rate := l.Rate
	if rate == "" {
		rate = "unlimited"
	}
	switch {
	case l.Loss > 0:
		return fmt.Sprintf("%s,%v,%g%% loss", rate, l.Delay, 100*l.Loss)
	case l.Delay == 0:
		return rate
	}
	return rate + "," + l.Delay.String()
}

// Shaped says whether l differs from loopback as it is.
func (l Link) Shaped() bool { return l != Unlimited }

// Shape sets up this process's network namespace's loopback for l: up, and
// for a rate a Wi-Fi-sized MTU of 1500 bytes and the rate enforced by a token bucket
// (this kernel has no netem; the delay is the viewer's, see Net and Conn). Run
// it only in a private network namespace (unshare --net): it changes lo.
func (l Link) Shape() error {
	cmds := [][]string{{"ip", "link", "set", "lo", "up"}}
	if l.Rate != "" {
		// With loopback's 64 KiB MTU the token bucket drops TCP's large
		// segments and connections stall: a link users have is 1500.
		cmds = append(cmds, []string{"ip", "link", "set", "lo", "mtu", "1500"}, []string{"tc", "qdisc", "replace", "dev", "lo", "root", "tbf", "rate", l.Rate, "burst", "15kb", "limit", "4mb"})
	}
	for _, c := range cmds {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("shape loopback for %s: %s: %v: %s", l, strings.Join(c, " "), err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}

// LoopbackPackets is the number of packets loopback has carried in this
// network namespace (each is sent once and received once; this counts them
// once).
func LoopbackPackets() (uint64, error) {
	b, err := os.ReadFile("/proc/net/dev")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) != "lo" {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 10 {
			break
		}
		return strconv.ParseUint(f[9], 10, 64) // transmitted packets
	}
	return 0, errors.New("/proc/net/dev: no lo")
}

// Net is the network a dream viewer's peer connection uses on l: the host's,
// with every UDP packet held for l's delay on its way out and on its way in,
// and l's share of them lost each way. It is nil when l has neither.
func (l Link) Net() (transport.Net, error) {
	if l.Delay == 0 && l.Loss == 0 {
		return nil, nil
	}
	n, err := stdnet.NewNet()
	if err != nil {
		return nil, err
	}
	return delayNet{n, l.Delay, l.Loss}, nil
}

type delayNet struct {
	*stdnet.Net
	delay time.Duration
	loss  float64
}

func (n delayNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.ListenUDP(network, laddr)
	if err != nil {
		return nil, err
	}
	d := &delayUDP{UDPConn: c, delay: n.delay, loss: n.loss, in: make(chan packet, 4096), out: make(chan packet, 4096), closed: make(chan struct{})}
	go d.receive()
	go d.send()
	return d, nil
}

// packet is a datagram (or a piece of a stream) and when it is due.
type packet struct {
	data []byte
	addr net.Addr
	due  time.Time
	err  error
}

// delayUDP holds what is sent and received for a fixed time, in order, and
// loses a share of it.
type delayUDP struct {
	transport.UDPConn
	delay     time.Duration
	loss      float64
	in, out   chan packet
	closeOnce sync.Once
	closed    chan struct{}
}

func (d *delayUDP) receive() {
	defer close(d.in)
	buf := make([]byte, 1<<16)
	for {
		n, addr, err := d.UDPConn.ReadFrom(buf)
		if err != nil {
			d.in <- packet{err: err}
			return
		}
		if d.loss > 0 && rand.Float64() < d.loss {
			continue
		}
		// A copy of the datagram's size: the bench shares the cores with
		// what it measures, so it keeps its garbage small.
		d.in <- packet{data: append([]byte(nil), buf[:n]...), addr: addr, due: time.Now().Add(d.delay)}
	}
}

func (d *delayUDP) send() {
	for {
		select {
		case p := <-d.out:
			time.Sleep(time.Until(p.due))
			d.UDPConn.WriteTo(p.data, p.addr) // lost, as on a link, if it fails
		case <-d.closed:
			return
		}
	}
}

func (d *delayUDP) ReadFrom(b []byte) (int, net.Addr, error) {
	p, ok := <-d.in
	if !ok {
		return 0, nil, net.ErrClosed
	}
	if p.err != nil {
		return 0, nil, p.err
	}
	time.Sleep(time.Until(p.due))
	return copy(b, p.data), p.addr, nil
}

func (d *delayUDP) WriteTo(b []byte, addr net.Addr) (int, error) {
	if d.loss > 0 && rand.Float64() < d.loss {
		return len(b), nil // lost on the way
	}
	select {
	case d.out <- packet{data: append([]byte(nil), b...), addr: addr, due: time.Now().Add(d.delay)}:
	case <-d.closed:
		return 0, net.ErrClosed
	}
	return len(b), nil
}

func (d *delayUDP) Close() error {
	d.closeOnce.Do(func() { close(d.closed) })
	return d.UDPConn.Close()
}

// Conn is c on l: what c sends and receives held for l's delay, in order
// (c itself when l has none).
func (l Link) Conn(c net.Conn) net.Conn {
	if l.Delay == 0 {
		return c
	}
	d := &delayConn{Conn: c, delay: l.Delay, in: make(chan packet, 4096), out: make(chan packet, 4096), closed: make(chan struct{}), wdone: make(chan struct{})}
	go d.receive()
	go d.send()
	return d
}

// delayConn is a stream held for a fixed time each way.
type delayConn struct {
	net.Conn
	delay     time.Duration
	in, out   chan packet
	rest      []byte // of the packet being read
	werr      error  // the first failed write, reported by the next
	wmu       sync.Mutex
	closeOnce sync.Once
	closed    chan struct{}
	wdone     chan struct{}
}

func (d *delayConn) receive() {
	defer close(d.in)
	buf := make([]byte, 64<<10)
	for {
		n, err := d.Conn.Read(buf)
		if n > 0 {
			d.in <- packet{data: append([]byte(nil), buf[:n]...), due: time.Now().Add(d.delay)}
		}
		if err != nil {
			d.in <- packet{err: err, due: time.Now().Add(d.delay)}
			return
		}
	}
}

func (d *delayConn) send() {
	defer close(d.wdone)
	for {
		select {
		case p := <-d.out:
			time.Sleep(time.Until(p.due))
			if _, err := d.Conn.Write(p.data); err != nil {
				d.wmu.Lock()
				d.werr = err
				d.wmu.Unlock()
				return
			}
		case <-d.closed:
			return
		}
	}
}

func (d *delayConn) Read(b []byte) (int, error) {
	if len(d.rest) == 0 {
		p, ok := <-d.in
		if !ok {
			return 0, net.ErrClosed
		}
		time.Sleep(time.Until(p.due))
		if p.err != nil {
			return 0, p.err
		}
		d.rest = p.data
	}
	n := copy(b, d.rest)
	d.rest = d.rest[n:]
	return n, nil
}

func (d *delayConn) Write(b []byte) (int, error) {
	d.wmu.Lock()
	err := d.werr
	d.wmu.Unlock()
	if err != nil {
		return 0, err
	}
	select {
	case d.out <- packet{data: append([]byte(nil), b...), due: time.Now().Add(d.delay)}:
		return len(b), nil
	case <-d.closed:
		return 0, net.ErrClosed
	}
}

func (d *delayConn) Close() error {
	d.closeOnce.Do(func() { close(d.closed) })
	return d.Conn.Close()
}

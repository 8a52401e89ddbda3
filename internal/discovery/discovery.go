// Package discovery announces dream's servers on the local network and finds
// them, over multicast DNS (DNS-SD service records, as Bonjour and Avahi
// browse them): dreamcomp as _dreamcomp._tcp, dreaminput as _dreaminput._tcp.
// TXT records carry what a viewer needs to choose (protocol version, tiles,
// layout, certificate fingerprint); they are not trusted for security: a
// viewer still checks the certificate it paired with.
package discovery

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/mdns"
)

// Service kinds.
const (
	Dreamcomp  = "_dreamcomp._tcp"
	Dreaminput = "_dreaminput._tcp"
)

var quiet = log.New(io.Discard, "", 0) // mdns logs every socket it could not open

// Service is one server to announce.
type Service struct {
	Kind     string // Dreamcomp or Dreaminput
	Instance string // its name, as users pick it (the host name, say)
	Port     int
	IPs      []net.IP // where it answers; none: every address of this machine's
	TXT      map[string]string
	// Iface, when set, is the one network interface to announce on (the
	// loopback interface for a server that listens on loopback).
	Iface *net.Interface
}

// Announcer answers queries for a Service until Close.
type Announcer struct{ srv *mdns.Server }

// Announce starts answering queries for s.
func Announce(s Service) (*Announcer, error) {
	ips := s.IPs
	if len(ips) == 0 {
		ips = localIPs()
	}
	var txt []string
	for k, v := range s.TXT {
		txt = append(txt, k+"="+v)
	}
	sort.Strings(txt)
	host := strings.NewReplacer(" ", "-", ".", "-").Replace(s.Instance) + ".local."
	zone, err := mdns.NewMDNSService(s.Instance, s.Kind, "", host, s.Port, ips, txt)
	if err != nil {
		return nil, fmt.Errorf("announce %s: %w", s.Kind, err)
	}
	srv, err := mdns.NewServer(&mdns.Config{Zone: zone, Iface: s.Iface, Logger: quiet})
	if err != nil {
		return nil, fmt.Errorf("announce %s on the local network (multicast DNS, UDP 5353): %w", s.Kind, err)
	}
	return &Announcer{srv: srv}, nil
}

// Close stops answering.
func (a *Announcer) Close() error { return a.srv.Shutdown() }

// Loopback is this machine's loopback interface (nil if it has none).
func Loopback() *net.Interface {
	ifaces, _ := net.Interfaces()
	for i := range ifaces {
		if ifaces[i].Flags&net.FlagLoopback != 0 && ifaces[i].Flags&net.FlagUp != 0 {
			return &ifaces[i]
		}
	}
	return nil
}

// localIPs lists this machine's IPv4 addresses, loopback last (it is the one
// a machine without a network still has).
func localIPs() []net.IP {
	var out, lo []net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
			if n.IP.IsLoopback() {
				lo = append(lo, n.IP)
			} else {
				out = append(out, n.IP)
			}
		}
	}
	return append(out, lo...)
}

// Found is a server that answered.
type Found struct {
	Instance string
	HostPort string // IP:PORT
	TXT      map[string]string
}

// Browse asks for kind's servers and gathers the answers for wait, on iface
// alone when it is not nil.
func Browse(ctx context.Context, kind string, wait time.Duration, iface *net.Interface) ([]Found, error) {
	entries := make(chan *mdns.ServiceEntry, 32)
	done := make(chan []Found, 1)
	go func() {
		seen := map[string]Found{}
		for e := range entries {
			if e.AddrV4 == nil || !strings.Contains(e.Name, kind) {
				continue
			}
			f := Found{Instance: instance(e.Name, kind), HostPort: net.JoinHostPort(e.AddrV4.String(), strconv.Itoa(e.Port)), TXT: map[string]string{}}
			for _, kv := range e.InfoFields {
				k, v, _ := strings.Cut(kv, "=")
				f.TXT[k] = v
			}
			seen[f.Instance+" "+f.HostPort] = f
		}
		out := make([]Found, 0, len(seen))
		for _, f := range seen {
			out = append(out, f)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Instance < out[j].Instance })
		done <- out
	}()
	p := mdns.DefaultParams(kind)
	p.Entries, p.Timeout, p.DisableIPv6, p.Logger, p.Interface = entries, wait, true, quiet, iface
	err := mdns.QueryContext(ctx, p)
	close(entries)
	found := <-done
	if err != nil {
		return found, fmt.Errorf("browse the local network for %s (multicast DNS): %w", kind, err)
	}
	return found, nil
}

// instance takes the service instance's name from its full name
// ("desk._dreamcomp._tcp.local." is "desk"), undoing DNS escapes.
func instance(full, kind string) string {
	name, _, _ := strings.Cut(full, "."+kind)
	return strings.ReplaceAll(name, `\ `, " ")
}

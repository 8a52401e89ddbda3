package discovery

import (
	"context"
	"fmt"
	"net"
	"os"
	"testing"
	"time"
)

// TestAnnounceBrowse: a service announced is found with its address, port and
// TXT fields; once closed it is not. (On the loopback interface: test traffic
// stays on this machine.)
func TestAnnounceBrowse(t *testing.T) {
	lo := Loopback()
	if lo == nil {
		t.Fatal("no loopback interface up")
	}
	name := fmt.Sprintf("test desk %d", os.Getpid())
	a, err := Announce(Service{Kind: Dreamcomp, Instance: name, Port: 8040, IPs: []net.IP{net.IPv4(127, 0, 0, 1)},
		TXT: map[string]string{"v": "1", "tiles": "3", "fp": "ab12"}, Iface: lo})
	if err != nil {
		t.Fatal(err)
	}
	find := func() (Found, bool) {
		t.Helper()
		found, err := Browse(context.Background(), Dreamcomp, 500*time.Millisecond, lo)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range found {
			if f.Instance == name {
				return f, true
			}
		}
		return Found{}, false
	}
	f, ok := find()
	if !ok {
		t.Fatalf("%q was not found", name)
	}
	if f.HostPort != "127.0.0.1:8040" || f.TXT["tiles"] != "3" || f.TXT["fp"] != "ab12" || f.TXT["v"] != "1" {
		t.Errorf("found %+v", f)
	}
	a.Close()
	if _, ok := find(); ok {
		t.Errorf("%q still found after Close", name)
	}
}

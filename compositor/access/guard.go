package access

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Failed attempts: an address that sends MaxFailures wrong tokens within
// FailureWindow is refused until the window has passed.
const (
	MaxFailures   = 10
	FailureWindow = time.Minute
	maxAddresses  = 4096 // addresses remembered; beyond, the oldest are forgotten
)

// Role is what a token lets a viewer do.
type Role int

// Roles.
const (
	None    Role = iota
	Watch        // video only
	Control      // video, keyboard and mouse
)

// Refusal is a request refused, with the HTTP status to answer.
type Refusal struct {
	Status int
	Reason string
}

func (r *Refusal) Error() string { return r.Reason }

// Guard checks requests' tokens.
type Guard struct {
	keys *Keys
	now  func() time.Time

	mu       sync.Mutex
	failures map[string]*failures
}

type failures struct {
	count int
	since time.Time
}

// NewGuard checks requests against keys.
func NewGuard(keys *Keys) *Guard {
	return &Guard{keys: keys, now: time.Now, failures: map[string]*failures{}}
}

// Check says what r's bearer token allows, or why r is refused (401 for a
// missing or wrong token, 429 for an address that keeps guessing).
func (g *Guard) Check(r *http.Request) (Role, error) {
	addr := source(r.RemoteAddr)
	if g.blocked(addr) {
		return None, &Refusal{http.StatusTooManyRequests, fmt.Sprintf("too many wrong tokens from %s: wait a minute", addr)}
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case !ok || token == "":
		return None, &Refusal{http.StatusUnauthorized, "no token: send Authorization: Bearer TOKEN (the token is in dreamcomp's pairing URL)"}
	case equal(token, g.keys.Control):
		return Control, nil
	case g.keys.View != "" && equal(token, g.keys.View):
		return Watch, nil
	}
	g.fail(addr)
	return None, &Refusal{http.StatusUnauthorized, "wrong token (use the one in dreamcomp's pairing URL)"}
}

// source is whom failures are counted against: the IPv4 address, or the
// IPv6 /64 (one host may hold all of it).
func source(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.To4() != nil {
		return host
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func (g *Guard) blocked(addr string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	f := g.failures[addr]
	if f == nil {
		return false
	}
	if g.now().Sub(f.since) >= FailureWindow {
		delete(g.failures, addr)
		return false
	}
	return f.count >= MaxFailures
}

func (g *Guard) fail(addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f := g.failures[addr]
	if f == nil {
		if len(g.failures) >= maxAddresses {
			g.forgetOld()
		}
		f = &failures{since: g.now()}
		g.failures[addr] = f
	}
	f.count++
}

// forgetOld drops addresses whose window has passed; when none has, the one
// whose window started first (a flood of fresh addresses must not wipe the
// counts of the others).
func (g *Guard) forgetOld() {
	var oldest string
	for a, f := range g.failures {
		if g.now().Sub(f.since) >= FailureWindow {
			delete(g.failures, a)
		} else if oldest == "" || f.since.Before(g.failures[oldest].since) {
			oldest = a
		}
	}
	if len(g.failures) >= maxAddresses {
		delete(g.failures, oldest)
	}
}

// AsRefusal finds the Refusal in err.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}

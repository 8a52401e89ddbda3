// Package trust keeps the servers a viewer has paired with: each server's
// address, the SHA-256 fingerprint of its certificate, and its token, one line
// each in a file of the user's (mode 0600).
//
// A pairing URL (https://HOST:PORT/?token=TOKEN&fp=FINGERPRINT, as dreamcomp
// prints it) pairs: its fingerprint is the one to find, and is kept. A server
// reached without one is trusted the first time (and kept), and must show the
// same certificate ever after.
package trust

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"dream/viewer/client"
)

// Server is where a viewer connects, with what it knows of the server.
type Server struct {
	URL         string // scheme, host and port
	HostPort    string
	Token       string
	Fingerprint string // hex; "" when not given
}

// ParseURL reads a server address: a pairing URL, https://HOST:PORT, or
// HOST:PORT (https).
func ParseURL(raw string) (Server, error) {
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Server{}, fmt.Errorf("server %q: want HOST:PORT or dreamcomp's pairing URL (https://HOST:PORT/?token=…&fp=…)", raw)
	}
	q := u.Query()
	fp := strings.ToLower(q.Get("fp"))
	if fp != "" && !isFingerprint(fp) {
		return Server{}, fmt.Errorf("server %q: fp=%q is not a SHA-256 fingerprint (64 hex digits)", raw, fp)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return Server{}, fmt.Errorf("server %q: dreamcomp speaks HTTPS (a token must not cross the network in the clear): use https:// or HOST:PORT", raw)
	}
	return Server{URL: u.Scheme + "://" + u.Host, HostPort: u.Host, Token: q.Get("token"), Fingerprint: fp}, nil
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func isFingerprint(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// Store is the file of paired servers.
type Store struct {
	Path string
	mu   sync.Mutex
}

// DefaultPath is the user's configuration directory, dream/view/servers.
func DefaultPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ".dreamview-servers"
	}
	return filepath.Join(dir, "dream", "view", "servers")
}

// entry is one paired server.
type entry struct{ hostPort, fingerprint, token string }

func (s *Store) read() ([]entry, error) {
	f, err := os.Open(s.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && !strings.HasPrefix(fields[0], "#") {
			e := entry{hostPort: fields[0], fingerprint: fields[1]}
			if len(fields) > 2 {
				e.token = fields[2]
			}
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

// Lookup finds the paired server at hostPort.
func (s *Store) Lookup(hostPort string) (fingerprint, token string, ok bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all, err := s.read()
	for _, e := range all {
		if e.hostPort == hostPort {
			return e.fingerprint, e.token, true, err
		}
	}
	return "", "", false, err
}

// Save pairs hostPort with fingerprint and token (replacing what was there).
// Viewers on one machine (one a monitor) may save at once: the file is
// locked while it is read and rewritten.
func (s *Store) Save(hostPort, fingerprint, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return err
	}
	lock, err := os.OpenFile(s.Path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	all, err := s.read()
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# dreamview's paired servers: HOST:PORT SHA-256-OF-CERTIFICATE TOKEN\n")
	for _, e := range all {
		if e.hostPort != hostPort {
			fmt.Fprintln(&b, e.hostPort, e.fingerprint, e.token)
		}
	}
	fmt.Fprintln(&b, hostPort, fingerprint, token)
	tmp, err := os.CreateTemp(filepath.Dir(s.Path), ".servers-*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.Path)
}

// Check checks srv's certificate as client.Config.Verify: against the pairing
// URL's fingerprint, else the one kept for it; a server not paired yet passes
// (trust on first use: Remember it once the connection has succeeded). A
// pairing URL whose fingerprint differs from the kept one passes only with
// repair (dreamcomp there was set up anew).
func (s *Store) Check(srv Server, repair bool) func(fingerprint string) error {
	return func(fp string) error {
		kept, _, ok, err := s.Lookup(srv.HostPort)
		switch {
		case err != nil:
			return fmt.Errorf("%w: paired servers in %s: %v", client.ErrUntrusted, s.Path, err)
		case srv.Fingerprint != "" && fp != srv.Fingerprint:
			return fmt.Errorf("%w: %s shows certificate %s, not %s of the pairing URL: do not connect unless you know why it changed",
				client.ErrUntrusted, srv.HostPort, fp, srv.Fingerprint)
		case srv.Fingerprint != "" && ok && kept != srv.Fingerprint && !repair:
			return fmt.Errorf("%w: this pairing URL names certificate %s, but %s was paired with %s. If dreamcomp there was set up anew, run again with --repair; if not, do not use this URL",
				client.ErrUntrusted, srv.Fingerprint, srv.HostPort, kept)
		case srv.Fingerprint == "" && ok && fp != kept:
			return fmt.Errorf("%w: the certificate of %s changed (it shows %s; paired with %s). If dreamcomp there was set up anew, pair again with the pairing URL it prints (and --repair); if not, someone may be in the middle: do not connect. Pairings are kept in %s",
				client.ErrUntrusted, srv.HostPort, fp, kept, s.Path)
		}
		return nil
	}
}

// Remember keeps hostPort's certificate and token after a connection that
// succeeded with them (an empty token keeps the one kept before).
func (s *Store) Remember(hostPort, fingerprint, token string) error {
	kept, keptToken, ok, err := s.Lookup(hostPort)
	if err != nil {
		return err
	}
	if token == "" && kept == fingerprint {
		token = keptToken
	}
	if ok && kept == fingerprint && keptToken == token {
		return nil
	}
	return s.Save(hostPort, fingerprint, token)
}

// LookupFingerprint finds the paired server whose certificate is fingerprint
// (a server found on the network may have another address than when paired).
func (s *Store) LookupFingerprint(fingerprint string) (hostPort, token string, ok bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all, err := s.read()
	for _, e := range all {
		if e.fingerprint == fingerprint {
			return e.hostPort, e.token, true, err
		}
	}
	return "", "", false, err
}

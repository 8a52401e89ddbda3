// Package barriertest runs Debian's Barrier for tests: barriers (its server),
// which dreaminput and dreamcomp join, and barrierc (its client), which
// dreaminput's server drives.
package barriertest

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TwoScreens is a Barrier configuration of two screens side by side: "srv"
// (barriers' own) with "cli" beyond its right edge.
const TwoScreens = `section: screens
	srv:
	cli:
end
section: links
	srv:
		right = cli
	cli:
		left = srv
end
`

// Process is a running barriers or barrierc, whose log the test can read.
type Process struct {
	log  lines
	stop func()
}

// Stop kills the process and waits for it.
func (p *Process) Stop() { p.stop() }

// Server is a running barriers.
type Server struct {
	Process
	Addr        string // 127.0.0.1:PORT
	Fingerprint string // its certificate's, v2:sha256:HEX, with TLS
}

// Start runs barriers on display with conf (a Barrier configuration naming its
// own screen "srv"), in plain TCP, and waits until it listens. It stops when the
// test ends.
func Start(t testing.TB, display, conf string) *Server { return start(t, display, conf, nil) }

// StartTLS is Start with Barrier's TLS: a certificate made for the server, and
// clients trusted by the fingerprints given.
func StartTLS(t testing.TB, display, conf string, trustedClients ...string) *Server {
	return start(t, display, conf, trustedClients)
}

func start(t testing.TB, display, conf string, trustedClients []string) *Server {
	t.Helper()
	if _, err := exec.LookPath("barriers"); err != nil {
		t.Fatal("barriers is not installed: run scripts/setup (Debian's barrier package)")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "barrier.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: l.Addr().String()}
	l.Close()
	args := []string{"-f", "--no-tray", "-n", "srv", "-a", s.Addr, "-c", path, "--display", display, "--profile-dir", dir, "--debug", "DEBUG"}
	if trustedClients == nil {
		args = append(args, "--disable-crypto")
	} else {
		s.Fingerprint = makeCert(t, dir, trustedClients)
	}
	cmd := exec.Command("barriers", args...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	s.run(t, cmd)
	s.WaitFor(t, 10*time.Second, "started server")
	return s
}

// Client runs barrierc on display as screen name, joining the server at addr,
// until the test ends. With profile (a directory Profile made) it speaks TLS;
// with "" plain TCP.
func Client(t testing.TB, display, name, addr, profile string) *Process {
	t.Helper()
	if _, err := exec.LookPath("barrierc"); err != nil {
		t.Fatal("barrierc is not installed: run scripts/setup (Debian's barrier package)")
	}
	crypto := "--enable-crypto"
	if profile == "" {
		crypto, profile = "--disable-crypto", t.TempDir()
	}
	cmd := exec.Command("barrierc", "-f", "--no-tray", crypto, "-n", name, "--display", display,
		"--profile-dir", profile, "--debug", "DEBUG", addr)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	p := &Process{}
	p.run(t, cmd)
	return p
}

func (p *Process) run(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.log.collect(bufio.NewScanner(out))
	}()
	var once sync.Once
	p.stop = func() { once.Do(func() { cmd.Process.Kill(); <-done; cmd.Wait() }) }
	t.Cleanup(p.Stop)
}

// Said reports whether the process has logged a line containing s.
func (p *Process) Said(text string) bool { return p.log.has(text) }

// WaitFor waits until the process logs a line containing text.
func (p *Process) WaitFor(t testing.TB, within time.Duration, text string) {
	t.Helper()
	for deadline := time.Now().Add(within); !p.log.has(text); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("Barrier did not say %q within %v; it said:\n%s", text, within, p.log.String())
		}
	}
}

type lines struct {
	mu  sync.Mutex
	all []string
}

func (l *lines) collect(sc *bufio.Scanner) {
	for sc.Scan() {
		l.mu.Lock()
		l.all = append(l.all, sc.Text())
		l.mu.Unlock()
	}
}

func (l *lines) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.all {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n")
}

// Profile makes a Barrier profile directory for barriers or barrierc: a
// certificate and key where Barrier looks for them (SSL/Barrier.pem) and the
// trusted peers' fingerprints (TrustedClients.txt and TrustedServers.txt alike);
// it returns the certificate's fingerprint.
func Profile(t testing.TB, dir string, trusted ...string) string { return makeCert(t, dir, trusted) }

func makeCert(t testing.TB, dir string, trustedClients []string) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Barrier"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pemBytes = append(pemBytes, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	fps := filepath.Join(dir, "SSL", "Fingerprints")
	if err := os.MkdirAll(fps, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "SSL", "Barrier.pem"), pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"TrustedClients.txt", "TrustedServers.txt"} {
		if err := os.WriteFile(filepath.Join(fps, f), []byte(strings.Join(trustedClients, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum := sha256.Sum256(der)
	return "v2:sha256:" + hex.EncodeToString(sum[:])
}

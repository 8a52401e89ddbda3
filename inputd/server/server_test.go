package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dream/inputd/client"
	"dream/inputd/config"
	"dream/internal/barriertest"
	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
	"dream/proto/synergy"
)

func startServer(t *testing.T, tlsConf *tls.Config) (*Server, string) {
	t.Helper()
	c, err := config.Parse(strings.NewReader(barriertest.TwoScreens))
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Screens: c, TLS: tlsConf})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s, ln.Addr().String()
}

// TestDrivesBarrierClient: a real barrierc joins as "cli"; entering it, moving
// and typing reach its display.
func TestDrivesBarrierClient(t *testing.T) {
	t.Run("plain", func(t *testing.T) { testDrivesBarrierClient(t, false) })
	t.Run("TLS", func(t *testing.T) { testDrivesBarrierClient(t, true) })
}

func testDrivesBarrierClient(t *testing.T, withTLS bool) {
	dir := t.TempDir()
	var tlsConf *tls.Config
	if withTLS {
		// Each side pins the other's certificate, as Barrier's users do.
		profile := client.Profile{Dir: t.TempDir()}
		cert, err := profile.Certificate()
		if err != nil {
			t.Fatal(err)
		}
		barrierc := barriertest.Profile(t, dir, client.Fingerprint(cert.Certificate[0]))
		trusted := filepath.Join(profile.Dir, "SSL", "Fingerprints", "TrustedClients.txt")
		if err := os.WriteFile(trusted, []byte(barrierc+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if tlsConf, err = profile.ServerTLSConfig(); err != nil {
			t.Fatal(err)
		}
	}
	s, addr := startServer(t, tlsConf)
	x := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240})
	term := xvfbtest.StartTerminal(t, x.Display(), "40x12") // writes what it is typed

	bcProfile := ""
	if withTLS {
		bcProfile = dir
	}
	barriertest.Client(t, x.Display(), "cli", addr, bcProfile)
	waitFor(t, 30*time.Second, "barrierc to join as cli", func() bool { _, ok := s.Screens()["cli"]; return ok })
	if sh := s.Screens()["cli"]; sh.Width != 320 || sh.Height != 240 {
		t.Errorf("cli's shape %+v; want 320x240", sh)
	}

	if err := s.Enter("cli", 10, 10, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Move(100, 50); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "cli's pointer at 100,50", func() bool { px, py, _ := xvfbtest.Pointer(t, x.Display()); return px == 100 && py == 50 })

	// Type "hi" and Return: key IDs are Unicode, Return is 0xEF0D; buttons are
	// the server's physical keys (any, as long as press and release agree).
	for i, id := range []int{'h', 'i', 0xef0d} {
		if err := s.Key(id, 0, 40+i, true); err != nil {
			t.Fatal(err)
		}
		if err := s.Key(id, 0, 40+i, false); err != nil {
			t.Fatal(err)
		}
	}
	if got := term.Line(t); got != "hi" {
		t.Errorf("cli's terminal got %q; want %q", got, "hi")
	}
	s.Leave()
	if s.Active() != "" {
		t.Errorf("after Leave, %q is active", s.Active())
	}
}

// TestBadPeers: an unknown name gets EUNK, garbage gets EBAD, and the server
// goes on serving.
func TestBadPeers(t *testing.T) {
	s, addr := startServer(t, nil)
	dial := func(name string) (net.Conn, error) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return nil, err
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := synergy.ReadFrame(c, nil); err != nil {
			return nil, fmt.Errorf("greeting: %w", err)
		}
		_, err = c.Write(synergy.AppendFrame(nil, synergy.Hello{Protocol: "Barrier", Major: 1, Minor: 6, Name: name}.AppendMarshal(nil, true)))
		return c, err
	}
	expect := func(c net.Conn, code string) {
		t.Helper()
		b, err := synergy.ReadFrame(c, nil)
		if err != nil || len(b) < 4 || string(b[:4]) != code {
			t.Fatalf("got %q, %v; want %s", b, err, code)
		}
	}
	c, err := dial("stranger")
	if err != nil {
		t.Fatal(err)
	}
	expect(c, "EUNK")
	c.Close()

	c, err = dial("cli")
	if err != nil {
		t.Fatal(err)
	}
	expect(c, "QINF")
	c.Write(synergy.AppendFrame(nil, []byte("DINF\x00\x00\x00\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00\x00")))
	for _, code := range []string{"CIAK", "CROP", "DSOP"} {
		expect(c, code)
	}
	waitFor(t, 5*time.Second, "cli connected", func() bool { _, ok := s.Screens()["cli"]; return ok })
	// A screen that changes size says so again, and waits for CIAK before it
	// takes motion again (as Barrier's do).
	c.Write(synergy.AppendFrame(nil, []byte("DINF\x00\x00\x00\x00\x02\x00\x01\x00\x00\x00\x00\x00\x00\x00")))
	expect(c, "CIAK")
	if sh := s.Screens()["cli"]; sh.Width != 512 {
		t.Errorf("after a new DINF cli is %d wide; want 512", sh.Width)
	}
	second, err := dial("cli")
	if err != nil {
		t.Fatal(err)
	}
	expect(second, "QINF")
	second.Write(synergy.AppendFrame(nil, []byte("DINF\x00\x00\x00\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00\x00")))
	expect(second, "EBSY") // the name is taken
	second.Close()

	c.Write(synergy.AppendFrame(nil, []byte("ZZZZ")))
	expect(c, "EBAD")
	waitFor(t, 5*time.Second, "the broken screen dropped", func() bool { _, ok := s.Screens()["cli"]; return !ok })
	c.Close()
	if c, err := dial("cli"); err != nil {
		t.Fatalf("the server stopped serving: %v", err)
	} else {
		expect(c, "QINF")
		c.Close()
	}
}

func waitFor(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
	}
}

// TestStalledScreen: a screen that stops reading is dropped once its queue is
// full; sending to it never blocks the caller.
func TestStalledScreen(t *testing.T) {
	s, addr := startServer(t, nil)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	synergy.ReadFrame(c, nil)
	c.Write(synergy.AppendFrame(nil, synergy.Hello{Protocol: "Barrier", Major: 1, Minor: 6, Name: "cli"}.AppendMarshal(nil, true)))
	synergy.ReadFrame(c, nil) // QINF
	c.Write(synergy.AppendFrame(nil, []byte("DINF\x00\x00\x00\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00\x00")))
	waitFor(t, 5*time.Second, "cli connected", func() bool { _, ok := s.Screens()["cli"]; return ok })
	if err := s.Enter("cli", 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	// cli reads nothing from now on. Motion fills the socket, then the queue.
	start := time.Now()
	var sendErr error
	for i := 0; i < 2_000_000 && sendErr == nil; i++ {
		sendErr = s.Move(i%256, i%256)
	}
	if sendErr == nil {
		t.Fatal("2,000,000 moves to a screen that reads nothing all went through")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("sending to a stalled screen took %v before it was dropped", d)
	}
	waitFor(t, 5*time.Second, "the stalled screen dropped", func() bool { _, ok := s.Screens()["cli"]; return !ok })
}

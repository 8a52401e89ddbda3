package client

import (
	"context"
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dream/internal/barriertest"
	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

// TestDrivenByBarrier: Debian's barriers, on a display of its own, drives this
// client's display: the pointer crosses srv's right edge onto cli, and typing on
// srv reaches an X client on cli.
func TestDrivenByBarrier(t *testing.T) {
	t.Run("plain", func(t *testing.T) { testDrivenByBarrier(t, false) })
	t.Run("TLS", func(t *testing.T) { testDrivenByBarrier(t, true) })
}

func testDrivenByBarrier(t *testing.T, withTLS bool) {
	srvX := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240})
	cliX := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240})
	dir := t.TempDir()
	term := xvfbtest.StartTerminal(t, cliX.Display(), "40x12") // writes what it is typed
	var bar *barriertest.Server
	var tlsConf *tls.Config
	if withTLS {
		// Each side pins the other's certificate, as Barrier's users do.
		profile := Profile{Dir: filepath.Join(dir, "profile")}
		cert, err := profile.Certificate()
		if err != nil {
			t.Fatal(err)
		}
		bar = barriertest.StartTLS(t, srvX.Display(), barriertest.TwoScreens, Fingerprint(cert.Certificate[0]))
		trusted := filepath.Join(profile.Dir, "SSL", "Fingerprints", "TrustedServers.txt")
		if err := os.WriteFile(trusted, []byte(bar.Fingerprint+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if tlsConf, err = profile.TLSConfig(); err != nil {
			t.Fatal(err)
		}
	} else {
		bar = barriertest.Start(t, srvX.Display(), barriertest.TwoScreens)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Config{Server: bar.Addr, Name: "cli", Display: cliX.Display(), TLS: tlsConf}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	bar.WaitFor(t, 10*time.Second, `client "cli" has connected`)
	xvfbtest.Copy(t, srvX.Display(), "clipboard", "copied on srv ✓")

	// Cross srv's right edge: barriers switches to cli and moves its pointer.
	xvfbtest.Xdotool(t, srvX.Display(), "mousemove", "310", "60")
	for i := 0; i < 10 && !bar.Said(`switch from "srv" to "cli"`); i++ {
		xvfbtest.Xdotool(t, srvX.Display(), "mousemove_relative", "--", "20", "0")
		time.Sleep(50 * time.Millisecond)
	}
	bar.WaitFor(t, 5*time.Second, `switch from "srv" to "cli"`)
	xvfbtest.Xdotool(t, srvX.Display(), "mousemove_relative", "--", "60", "40")
	var x, y int
	waitFor(t, 5*time.Second, "the pointer on cli to move in from its left edge", func() bool {
		x, y, _ = xvfbtest.Pointer(t, cliX.Display())
		return x > 20 && x < 200 && y > 60
	})

	// Keys typed on srv arrive on cli, over the terminal.
	xvfbtest.Xdotool(t, srvX.Display(), "type", "--delay", "30", "Hi there!")
	xvfbtest.Xdotool(t, srvX.Display(), "key", "Return")
	if got := term.Line(t); got != "Hi there!" {
		t.Errorf("cli's terminal got %q; want %q (pointer at %d,%d)", got, "Hi there!", x, y)
	}

	// Clipboards: what srv copied is pasted on cli; what cli copies is
	// pasted on srv once the pointer is back.
	xvfbtest.Pasted(t, cliX.Display(), "clipboard", "copied on srv ✓")
	xvfbtest.Copy(t, cliX.Display(), "clipboard", "copied on cli")
	time.Sleep(200 * time.Millisecond) // the copy's CCLP reaches barriers before the pointer leaves
	for i := 0; i < 10 && !bar.Said(`switch from "cli" to "srv"`); i++ {
		xvfbtest.Xdotool(t, srvX.Display(), "mousemove_relative", "--", "-100", "0")
		time.Sleep(50 * time.Millisecond)
	}
	bar.WaitFor(t, 5*time.Second, `switch from "cli" to "srv"`)
	xvfbtest.Pasted(t, srvX.Display(), "clipboard", "copied on cli")
}

func waitFor(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
	}
}

// TestUntrustedServer: a server whose certificate is not pinned is refused, with
// the line to add if it is the user's.
func TestUntrustedServer(t *testing.T) {
	srvX := xvfbtest.StartForTest(t, xvfb.Config{Width: 64, Height: 64})
	cliX := xvfbtest.StartForTest(t, xvfb.Config{Width: 64, Height: 64})
	profile := Profile{Dir: t.TempDir()}
	cert, err := profile.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	bar := barriertest.StartTLS(t, srvX.Display(), barriertest.TwoScreens, Fingerprint(cert.Certificate[0]))
	conf, err := profile.TLSConfig() // trusts no server yet
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = Run(ctx, Config{Server: bar.Addr, Name: "cli", Display: cliX.Display(), TLS: conf})
	if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), bar.Fingerprint) {
		t.Errorf("Run with an unpinned server = %v; want ErrUntrusted naming %s", err, bar.Fingerprint)
	}
}

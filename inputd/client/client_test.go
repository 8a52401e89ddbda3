package client

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
	"dream/proto/synergy"
)

// fakeServer accepts connections and lets the test script each one.
func fakeServer(t *testing.T, script func(c net.Conn, n int)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for n := 0; ; n++ {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				script(c, n)
			}()
		}
	}()
	return l.Addr().String()
}

func greet(t *testing.T, c net.Conn) synergy.Hello {
	c.Write(synergy.AppendFrame(nil, synergy.Hello{Protocol: "Barrier", Major: 1, Minor: 6}.AppendMarshal(nil, false)))
	p, err := synergy.ReadFrame(c, nil)
	if err != nil {
		t.Errorf("no answer to the greeting: %v", err)
		return synergy.Hello{}
	}
	h, err := synergy.ParseHello(p, true)
	if err != nil {
		t.Errorf("answer: %v", err)
	}
	return h
}

// TestBadServer: garbage from the server gets EBAD and a reconnect; a server
// that does not know the screen ends Run with a clear error.
func TestBadServer(t *testing.T) {
	x := xvfbtest.StartForTest(t, xvfb.Config{Width: 64, Height: 64})
	replies := make(chan string, 4)
	addr := fakeServer(t, func(c net.Conn, n int) {
		h := greet(t, c)
		if h.Name != "cli" {
			t.Errorf("screen name %q; want cli", h.Name)
		}
		switch n {
		case 0: // garbage, then see what the client says
			c.Write(synergy.AppendFrame(nil, []byte("ZZZZ\x01")))
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if p, err := synergy.ReadFrame(c, nil); err == nil {
				replies <- string(p)
			}
		default: // the reconnect: refuse the name
			synergy.WriteMessage(c, synergy.New("EUNK"))
			replies <- "reconnected"
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := Run(ctx, Config{Server: addr, Name: "cli", Display: x.Display(), Retry: 50 * time.Millisecond})
	if !errors.Is(err, ErrUnknownName) {
		t.Errorf("Run against a server that does not know the screen = %v; want ErrUnknownName", err)
	}
	if got := <-replies; got != "EBAD" {
		t.Errorf("the client answered garbage with %q; want EBAD", got)
	}
	if got := <-replies; got != "reconnected" {
		t.Errorf("after garbage: %q; want a reconnect", got)
	}
}

func TestWrongVersion(t *testing.T) {
	x := xvfbtest.StartForTest(t, xvfb.Config{Width: 64, Height: 64})
	addr := fakeServer(t, func(c net.Conn, n int) {
		c.Write(synergy.AppendFrame(nil, synergy.Hello{Protocol: "Synergy", Major: 2, Minor: 0}.AppendMarshal(nil, false)))
		time.Sleep(time.Second)
	})
	err := Run(context.Background(), Config{Server: addr, Name: "cli", Display: x.Display()})
	if !errors.Is(err, ErrVersion) {
		t.Errorf("Run against protocol 2.0 = %v; want ErrVersion", err)
	}
}

package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"dream/inputd/config"
	"dream/proto/synergy"
)

// Protocol timing, as Barrier's: keep-alives every 3 s, a peer silent for three
// of them is dropped; a handshake must finish within the same time.
const (
	keepAlive   = 3 * time.Second
	silentLimit = 3 * keepAlive
)

// ErrNotConnected is returned for input to a screen that is not connected.
var ErrNotConnected = errors.New("screen not connected")

// Config configures a Server.
type Config struct {
	Screens *config.Config // the screens that may connect
	TLS     *tls.Config    // nil: plain TCP (--disable-crypto)
	Log     *slog.Logger
}

// Shape is a screen's geometry, as its DINF says.
type Shape struct {
	X, Y, Width, Height int
}

// Server accepts screens and sends them input.
type Server struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	screens map[string]*peer
	active  *peer
	seq     int64
	wg      sync.WaitGroup
	clips   chan Clipboard
}

// Clipboard is a screen's clipboard, sent when it gives up the keyboard after
// something was copied there.
type Clipboard struct {
	Screen string
	ID     int // synergy.ClipboardID or synergy.PrimaryID
	Text   string
}

// New returns a server for cfg.
func New(cfg Config) *Server {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, log: log, screens: map[string]*peer{}, clips: make(chan Clipboard, 8)}
}

// Serve accepts screens on ln until ctx ends, then closes every connection and
// waits for them.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	defer s.wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				s.closeAll()
				return nil
			}
			return err
		}
		if s.cfg.TLS != nil {
			c = tls.Server(c, s.cfg.TLS)
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(ctx, c)
		}()
	}
}

func (s *Server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.screens {
		p.conn.Close()
	}
}

// Clipboards delivers the clipboards screens send. One that finds the channel
// full is dropped (and logged).
func (s *Server) Clipboards() <-chan Clipboard { return s.clips }

// Screens lists the connected screens and their shapes.
func (s *Server) Screens() map[string]Shape {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Shape, len(s.screens))
	for name, p := range s.screens {
		out[name] = p.shape
	}
	return out
}

// serve runs one connection: handshake, then messages until it ends.
func (s *Server) serve(ctx context.Context, c net.Conn) {
	defer c.Close()
	log := s.log.With("peer", c.RemoteAddr().String())
	p, err := s.handshake(c)
	if err != nil {
		log.Warn("screen refused", "err", err)
		return
	}
	log = log.With("screen", p.name)
	log.Info("screen connected", "width", p.shape.Width, "height", p.shape.Height)
	defer s.drop(p, log)
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		p.keepAlive(pctx)
	}()
	var (
		buf  []byte
		clip synergy.ClipboardAssembler
	)
	for {
		c.SetReadDeadline(time.Now().Add(silentLimit))
		b, err := synergy.ReadFrame(c, buf)
		if err != nil {
			log.Info("screen gone", "err", err)
			return
		}
		buf = b
		m, err := synergy.Unmarshal(b)
		if err != nil {
			p.send(synergy.New("EBAD"))
			log.Warn("screen broke the protocol; disconnected", "err", err)
			return
		}
		switch m.Code {
		case "DINF":
			s.mu.Lock()
			p.shape = Shape{m.Int(0), m.Int(1), m.Int(2), m.Int(3)}
			s.mu.Unlock()
		case "CBYE":
			return
		case "DCLP":
			id, text, done, err := clip.Add(m)
			if err != nil {
				log.Warn("clipboard refused", "err", err)
			}
			if done {
				select {
				case s.clips <- Clipboard{Screen: p.name, ID: id, Text: text}:
				default:
					log.Warn("clipboard dropped: the last one is still being handled", "id", id)
				}
			}
		}
		// CALV, CNOP and CCLP (a screen took its clipboard: its DCLP follows
		// when it leaves): the read itself proves it alive.
	}
}

// handshake greets a new screen, checks its name and version, and asks its
// shape.
func (s *Server) handshake(c net.Conn) (*peer, error) {
	c.SetDeadline(time.Now().Add(silentLimit))
	defer c.SetDeadline(time.Time{})
	p := &peer{conn: c}
	if err := p.write(synergy.AppendFrame(nil, synergy.Hello{Protocol: "Barrier", Major: synergy.Major, Minor: synergy.Minor}.AppendMarshal(nil, false))); err != nil {
		return nil, err
	}
	b, err := synergy.ReadFrame(c, nil)
	if err != nil {
		return nil, fmt.Errorf("no answer to the greeting: %w", err)
	}
	hello, err := synergy.ParseHello(b, true)
	if err != nil {
		p.send(synergy.New("EBAD"))
		return nil, err
	}
	if hello.Major != synergy.Major || hello.Minor < 3 {
		p.send(synergy.New("EICV", synergy.Major, synergy.Minor))
		return nil, fmt.Errorf("screen %q speaks %d.%d", hello.Name, hello.Major, hello.Minor)
	}
	p.name = s.cfg.Screens.Canonical(hello.Name)
	if p.name == "" {
		p.send(synergy.New("EUNK"))
		return nil, fmt.Errorf("unknown screen %q (add it to the configuration's screens)", hello.Name)
	}
	if err := p.send(synergy.New("QINF")); err != nil {
		return nil, err
	}
	for {
		b, err := synergy.ReadFrame(c, nil)
		if err != nil {
			return nil, fmt.Errorf("screen %q: no DINF: %w", p.name, err)
		}
		m, err := synergy.Unmarshal(b)
		if err != nil {
			p.send(synergy.New("EBAD"))
			return nil, err
		}
		if m.Code == "DINF" {
			p.shape = Shape{m.Int(0), m.Int(1), m.Int(2), m.Int(3)}
			break
		}
	}
	s.mu.Lock()
	if _, taken := s.screens[p.name]; taken {
		s.mu.Unlock()
		p.send(synergy.New("EBSY"))
		return nil, fmt.Errorf("screen %q is already connected", p.name)
	}
	s.screens[p.name] = p
	s.mu.Unlock()
	for _, m := range []synergy.Message{synergy.New("CIAK"), synergy.New("CROP"), synergy.New("DSOP", []uint32{})} {
		if err := p.send(m); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Server) drop(p *peer, log *slog.Logger) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.screens[p.name] == p {
		delete(s.screens, p.name)
	}
	if s.active == p {
		s.active = nil
	}
	log.Info("screen disconnected")
}

// peer is one connected screen.
type peer struct {
	conn  net.Conn
	name  string
	shape Shape
	wmu   sync.Mutex
	buf   []byte
}

func (p *peer) write(b []byte) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	p.conn.SetWriteDeadline(time.Now().Add(silentLimit))
	_, err := p.conn.Write(b)
	return err
}

// send writes one message. A screen that cannot take it is dropped by its
// reader; the others are not held up longer than the write deadline.
func (p *peer) send(m synergy.Message) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	b, err := m.AppendMarshal(append(p.buf[:0], 0, 0, 0, 0))
	if err != nil {
		return err
	}
	p.buf = b
	n := len(b) - 4
	b[0], b[1], b[2], b[3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	p.conn.SetWriteDeadline(time.Now().Add(silentLimit))
	_, err = p.conn.Write(b)
	return err
}

func (p *peer) keepAlive(ctx context.Context) {
	t := time.NewTicker(keepAlive)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if p.send(synergy.New("CALV")) != nil {
				p.conn.Close()
				return
			}
		}
	}
}

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

// Shape is a screen's geometry, as its DINF says, and which connection of the
// screen it is (Conn changes when the screen reconnects: it starts afresh).
type Shape struct {
	X, Y, Width, Height int
	Conn                int64
}

// Server accepts screens and sends them input.
type Server struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	screens map[string]*peer
	active  *peer
	seq     int64
	conns   int64 // connections accepted, numbering them
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

// Shape is a connected screen's shape (false when it is not connected).
func (s *Server) Shape(name string) (Shape, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.screens[name]
	if !ok {
		return Shape{}, false
	}
	sh := p.shape
	sh.Conn = p.connNum
	return sh, true
}

// Screens lists the connected screens and their shapes.
func (s *Server) Screens() map[string]Shape {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Shape, len(s.screens))
	for name, p := range s.screens {
		sh := p.shape
		sh.Conn = p.connNum
		out[name] = sh
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
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		p.keepAlive(pctx)
	}()
	written := make(chan struct{})
	go func() {
		defer s.wg.Done()
		defer close(written)
		p.writeQueued()
	}()
	defer func() { p.closeQueue(); <-written }() // what was queued (an EBAD) goes out first
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
		case "DINF": // the screen changed size: it ignores motion until CIAK
			s.mu.Lock()
			p.shape = Shape{X: m.Int(0), Y: m.Int(1), Width: m.Int(2), Height: m.Int(3)}
			s.mu.Unlock()
			p.send(synergy.New("CIAK"))
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
			p.shape = Shape{X: m.Int(0), Y: m.Int(1), Width: m.Int(2), Height: m.Int(3)}
			break
		}
	}
	if s.taken(p.name) {
		p.send(synergy.New("EBSY"))
		return nil, fmt.Errorf("screen %q is already connected", p.name)
	}
	for _, m := range []synergy.Message{synergy.New("CIAK"), synergy.New("CROP"), synergy.New("DSOP", []uint32{})} {
		if err := p.send(m); err != nil {
			return nil, err
		}
	}
	// From here on messages go through the queue, so that a screen that
	// stalls never holds up the keyboard and mouse.
	p.out = make(chan []byte, queueLen)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.screens[p.name]; taken { // it connected twice at once
		return nil, fmt.Errorf("screen %q is already connected", p.name)
	}
	s.conns++
	p.connNum = s.conns
	s.screens[p.name] = p
	return p, nil
}

func (s *Server) taken(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.screens[name]
	return ok
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

// queueLen bounds the messages waiting for a screen; one that falls this far
// behind is dropped (and the keyboard comes home).
const queueLen = 1024

// peer is one connected screen.
type peer struct {
	conn    net.Conn
	connNum int64 // its number among the server's connections
	name    string
	shape   Shape
	wmu     sync.Mutex
	buf     []byte
	out     chan []byte // after the handshake: frames for writeQueued
	closed  bool        // out is closed
}

func (p *peer) write(b []byte) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	p.conn.SetWriteDeadline(time.Now().Add(silentLimit))
	_, err := p.conn.Write(b)
	return err
}

// errSlow is the error for a screen whose queue is full.
var errSlow = errors.New("the screen is not reading (dropped)")

// send writes one message: during the handshake directly, then through the
// queue. A screen that cannot keep up is disconnected; it never holds up the
// caller or the other screens.
func (p *peer) send(m synergy.Message) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	queued := p.out != nil
	b, err := m.AppendMarshal(append(p.buf[:0], 0, 0, 0, 0))
	if err != nil {
		return err
	}
	n := len(b) - 4
	b[0], b[1], b[2], b[3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	if p.closed {
		return net.ErrClosed
	}
	if queued {
		select {
		case p.out <- b: // the writer owns b now
			p.buf = nil
			return nil
		default:
			p.conn.Close()
			return errSlow
		}
	}
	p.buf = b
	p.conn.SetWriteDeadline(time.Now().Add(silentLimit))
	_, err = p.conn.Write(b)
	return err
}

// writeQueued writes the queue's frames until it is closed or a write fails.
func (p *peer) writeQueued() {
	for b := range p.out {
		p.conn.SetWriteDeadline(time.Now().Add(silentLimit))
		if _, err := p.conn.Write(b); err != nil {
			p.conn.Close()
			for range p.out { // let senders finish
			}
			return
		}
	}
}

// closeQueue ends the queue; later sends fail.
func (p *peer) closeQueue() {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if !p.closed {
		p.closed = true
		close(p.out)
	}
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

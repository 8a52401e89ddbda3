package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"dream/compositor/inject"
	"dream/internal/selection"
	"dream/proto/synergy"
)

// DefaultPort is the port Synergy and Barrier servers listen on.
const DefaultPort = "24800"

// Protocol timing: keep-alives every 3 s; a server silent for three of them is
// gone.
const (
	keepAlive   = 3 * time.Second
	silentLimit = 3 * keepAlive
)

// Errors from the server that end a session for good (retrying cannot help).
var (
	ErrUnknownName = errors.New("the server does not know this screen's name (add it to the server's screens section)")
	ErrBusy        = errors.New("the server already has a screen of this name connected")
	ErrVersion     = errors.New("the server speaks an incompatible protocol version")
)

// Config configures a Client. Server and Name are required.
type Config struct {
	Server  string // host or host:port (24800 when no port)
	Name    string // this screen's name, as the server's config lists it
	Display string // the X display to drive; "" means $DISPLAY
	// Injector, when set, is the display's injector to share (dreamcomp's,
	// which its viewers drive too: one set of keys held for the display);
	// otherwise Run opens one on Display.
	Injector *inject.Injector
	Log      *slog.Logger
	// Retry is the pause before reconnecting; 0 means 1 s.
	Retry time.Duration
	// TLS, when set, is Barrier's TLS: this screen's certificate and the
	// server's pinned fingerprint. Nil is plain TCP (the server's
	// --disable-crypto).
	TLS *tls.Config
}

// Run connects and serves until ctx ends (nil), reconnecting when the server
// goes away. It returns an error only for what retrying cannot fix: the display
// cannot be opened, or the server refuses this screen (ErrUnknownName, ErrBusy,
// ErrVersion).
func Run(ctx context.Context, cfg Config) error {
	if cfg.Name == "" {
		return errors.New("dreaminput client: no screen name (--name)")
	}
	if _, _, err := net.SplitHostPort(cfg.Server); err != nil {
		cfg.Server = net.JoinHostPort(cfg.Server, DefaultPort)
	}
	if cfg.Retry <= 0 {
		cfg.Retry = time.Second
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("server", cfg.Server, "screen", cfg.Name)
	in := cfg.Injector
	if in == nil {
		var err error
		if in, err = inject.Open(inject.Config{Display: cfg.Display, Log: log}); err != nil {
			return err
		}
		defer in.Close()
	}
	sel, err := selection.Open(cfg.Display)
	if err != nil {
		log.Warn("clipboards not shared", "err", err)
	} else {
		defer sel.Close()
	}
	for {
		err := session(ctx, cfg, in, sel, log)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrUnknownName), errors.Is(err, ErrBusy), errors.Is(err, ErrVersion), errors.Is(err, ErrUntrusted):
			return fmt.Errorf("%s: %w", cfg.Server, err)
		}
		log.Warn("disconnected; retrying", "err", err, "in", cfg.Retry)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(cfg.Retry):
		}
	}
}

// session is one connection to the server, until it ends.
func session(ctx context.Context, cfg Config, in *inject.Injector, sel *selection.X, log *slog.Logger) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", cfg.Server)
	if err != nil {
		return fmt.Errorf("cannot reach the server: %w", err)
	}
	if cfg.TLS != nil {
		// A handshake that stalls (seen now and then against Barrier's server
		// on a loaded machine) is given up soon and tried again.
		tc := tls.Client(conn, cfg.TLS)
		hctx, cancel := context.WithTimeout(ctx, keepAlive)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			conn.Close()
			if errors.Is(err, ErrUntrusted) {
				return err
			}
			return fmt.Errorf("TLS with the server (is it running with --disable-crypto? then pass it here too): %w", err)
		}
		conn = tc
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer conn.Close()

	s := &screen{conn: conn, in: in, c: in.NewClient(), sel: sel, log: log, keys: map[int]uint32{}}
	defer s.c.Close() // nothing stays pressed when the server goes

	// The server speaks first.
	conn.SetReadDeadline(time.Now().Add(silentLimit))
	p, err := synergy.ReadFrame(conn, nil)
	if err != nil {
		return fmt.Errorf("no greeting: %w", err)
	}
	hello, err := synergy.ParseHello(p, false)
	if err != nil {
		return err
	}
	if hello.Major != synergy.Major {
		return fmt.Errorf("%w: %d.%d (this side speaks %d.%d)", ErrVersion, hello.Major, hello.Minor, synergy.Major, synergy.Minor)
	}
	answer := synergy.Hello{Protocol: hello.Protocol, Major: synergy.Major, Minor: synergy.Minor, Name: cfg.Name}
	if _, err := conn.Write(synergy.AppendFrame(nil, answer.AppendMarshal(nil, true))); err != nil {
		return err
	}
	log.Info("connected", "protocol", hello.Protocol, "version", fmt.Sprintf("%d.%d", hello.Major, hello.Minor))
	if sel != nil {
		done := make(chan struct{})
		defer close(done)
		go s.watchSelections(done)
	}
	return s.serve()
}

// screen applies one server's messages to the display.
type screen struct {
	conn    net.Conn
	wmu     sync.Mutex // writes come from the reader and the selection watcher
	in      *inject.Injector
	c       *inject.Client
	sel     *selection.X // nil: clipboards are not shared
	log     *slog.Logger
	entered bool
	clip    synergy.ClipboardAssembler
	// mu guards what the selection watcher shares: whether this screen has
	// the keyboard, the sequence number of the latest enter, and the
	// clipboards copied here since.
	mu     sync.Mutex
	seq    int
	copied [2]bool
	// keys maps the server's key button (its physical key) to the keysym its
	// press used: a release may carry another key ID (Shift let go first turns
	// "H" into "h") and must release what was pressed.
	keys map[int]uint32
}

func (s *screen) send(code string, fields ...any) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return synergy.WriteMessage(s.conn, synergy.New(code, fields...))
}

// watchSelections tells the server when something is copied here (CCLP); the
// text follows when this screen gives up the keyboard, or at once when it does
// not have it (as Barrier's screens do).
func (s *screen) watchSelections(done <-chan struct{}) {
	for {
		select {
		case <-s.sel.Changed():
			s.mu.Lock()
			for id, taken := range s.sel.Taken() {
				if taken {
					s.copied[id] = true
					s.send("CCLP", id, s.seq)
				}
			}
			entered := s.entered
			s.mu.Unlock()
			if !entered {
				s.sendClipboards()
			}
		case <-done:
			return
		}
	}
}

// sendClipboards sends the server what was copied here since the last time.
func (s *screen) sendClipboards() error {
	s.mu.Lock()
	copied, seq := s.copied, s.seq
	s.copied = [2]bool{}
	s.mu.Unlock()
	for id, ok := range copied {
		if !ok {
			continue
		}
		text, err := s.sel.Get(id)
		if err != nil {
			s.log.Warn("clipboard not read", "id", id, "err", err)
			continue
		}
		for _, m := range synergy.ClipboardMessages(id, seq, text) {
			s.wmu.Lock()
			err := synergy.WriteMessage(s.conn, m)
			s.wmu.Unlock()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *screen) serve() error {
	var buf []byte
	lastAlive := time.Now()
	for {
		s.conn.SetReadDeadline(time.Now().Add(silentLimit))
		p, err := synergy.ReadFrame(s.conn, buf)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return errors.New("the server closed the connection")
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return fmt.Errorf("the server was silent for %v", silentLimit)
			}
			return err
		}
		buf = p
		m, err := synergy.Unmarshal(p)
		if err != nil {
			s.send("EBAD")
			return fmt.Errorf("bad message from the server: %w", err)
		}
		if err := s.handle(m); err != nil {
			return err
		}
		// Answer keep-alives, and send ours, so a silent link is noticed.
		if m.Code == "CALV" || time.Since(lastAlive) >= keepAlive {
			lastAlive = time.Now()
			if err := s.send("CALV"); err != nil {
				return err
			}
		}
	}
}

func (s *screen) handle(m synergy.Message) error {
	var err error
	switch m.Code {
	case "QINF":
		w, h := s.in.Size()
		x, y, _ := s.in.Pointer()
		return s.send("DINF", 0, 0, w, h, 0, x, y)
	case "CINN":
		s.mu.Lock()
		s.entered, s.seq = true, m.Int(2)
		s.mu.Unlock()
		err = s.c.Move(m.Int(0), m.Int(1))
	case "COUT":
		s.mu.Lock()
		s.entered = false
		s.mu.Unlock()
		clear(s.keys)
		err = s.c.ReleaseAll()
		if s.sel != nil {
			if cerr := s.sendClipboards(); cerr != nil {
				return cerr
			}
		}
	case "DCLP":
		id, text, done, cerr := s.clip.Add(m)
		if cerr != nil {
			s.log.Warn("clipboard refused", "err", cerr)
		}
		if done && s.sel != nil {
			if serr := s.sel.Set(id, text); serr != nil {
				s.log.Warn("clipboard not set", "id", id, "err", serr)
			}
			s.mu.Lock()
			s.copied[id] = false // the server's text is not news to it
			s.mu.Unlock()
		}
	case "DMMV":
		err = s.c.Move(m.Int(0), m.Int(1))
	case "DMRM":
		err = s.c.MoveBy(m.Int(0), m.Int(1))
	case "DMDN", "DMUP":
		if b := xButton(m.Int(0)); b != 0 {
			err = s.c.Button(b, m.Code == "DMDN")
		}
	case "DMWM":
		// Synergy's positive y scrolls up (away from the user), positive x right.
		err = s.c.Wheel(m.Int(0), -m.Int(1))
	case "DKDN":
		if sym := synergy.Keysym(uint16(m.Int(0))); sym != 0 {
			s.keys[m.Int(2)] = sym
			err = s.c.Key(sym, true)
		}
	case "DKUP":
		sym, ok := s.keys[m.Int(2)]
		if !ok {
			sym = synergy.Keysym(uint16(m.Int(0)))
		}
		delete(s.keys, m.Int(2))
		if sym != 0 {
			err = s.c.Key(sym, false)
		}
	case "CBYE":
		return errors.New("the server said goodbye")
	case "EUNK":
		return ErrUnknownName
	case "EBSY":
		return ErrBusy
	case "EICV":
		return fmt.Errorf("%w: it wants %d.%d", ErrVersion, m.Int(0), m.Int(1))
	case "EBAD":
		return errors.New("the server says this side broke the protocol")
	}
	// CALV, CNOP, CIAK, CROP, DSOP, CSEC, DKRP (the display repeats held keys
	// itself), CCLP (another screen copied: its text comes as DCLP) and file
	// messages need nothing more here.
	if err != nil && !errors.Is(err, inject.ErrBadInput) {
		return err // the display is gone
	}
	if err != nil {
		s.log.Debug("input refused", "code", m.Code, "err", err)
	}
	return nil
}

// xButton maps Synergy's button IDs to X's.
func xButton(id int) uint8 {
	switch id {
	case 1, 2, 3:
		return uint8(id)
	case 4:
		return 8 // back
	case 5:
		return 9 // forward
	}
	return 0
}

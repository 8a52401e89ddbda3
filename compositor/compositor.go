package compositor

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"net/http"
	"sync"

	"golang.org/x/sync/errgroup"

	"dream/compositor/capture"
	"dream/compositor/cursor"
	"dream/compositor/inject"
	"dream/compositor/layout"
	"dream/compositor/stream"
	"dream/compositor/web"
	"dream/internal/rawinput"
)

// Config configures a Compositor. The zero value captures $DISPLAY as one tile in
// H.264.
type Config struct {
	Display     string // X display to capture; "" means $DISPLAY
	Span        int    // tiles side by side; 0 means 1
	Codec       string // "h264" or "vp8"; "" means DefaultCodec
	FPS         int    // most frames a second per tile; 0 means DefaultFPS
	BitrateKbps int    // per tile; 0 lets the encoder pick by tile size
	// LoopbackOnly offers media on loopback alone (the HTTP side listens there).
	LoopbackOnly bool
	MaxViewers   int // per tile; 0 means stream.DefaultMaxViewers
	MaxPeers     int // in all; 0 means stream.DefaultMaxPeers
	// Access checks viewers' tokens (see compositor/access); nil lets everyone
	// watch and type.
	Access stream.Access
	// Input applies viewers' keyboard and mouse to the display (XTEST). Off,
	// every viewer is view-only: its input is dropped and counted.
	Input bool
	// VideoOnly turns the patch lane off: every change goes as video, to
	// every viewer (dreambench compares the two).
	VideoOnly bool
	Log       *slog.Logger
}

// Defaults, chosen by measurement (see README).
const (
	DefaultCodec = "h264"
	DefaultFPS   = 60
)

// Compositor captures one X display and serves it as tiles.
type Compositor struct {
	log    *slog.Logger
	src    *capture.Source
	layout layout.Layout
	tiles  []*tile
	out    []*stream.Tile // the tiles' network side, tile 1 first
	server *stream.Server
	inj    *inject.Injector // nil when view-only
	cursor *cursor.Watcher
	motion *rawinput.Watcher // the pointer's raw motion; nil: the pointer is polled
	warps  bool              // motion tells of warps too: nothing is polled

	mu      sync.Mutex
	cancel  context.CancelFunc // stops a running Run
	running sync.WaitGroup     // Close waits for Run before freeing what it uses
	closed  bool
}

// New opens the display, cuts it into tiles and makes one encoder per tile.
func New(cfg Config) (*Compositor, error) {
	if cfg.Span == 0 {
		cfg.Span = 1
	}
	if cfg.Codec == "" {
		cfg.Codec = DefaultCodec
	}
	if cfg.FPS <= 0 {
		cfg.FPS = DefaultFPS
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	src, err := capture.Open(capture.Config{Display: cfg.Display, Log: log})
	if err != nil {
		return nil, err
	}
	c := &Compositor{log: log, src: src}
	w, h := src.Size()
	if c.layout, err = layout.Span(w, h, cfg.Span); err != nil {
		src.Close()
		return nil, fmt.Errorf("display %s is %dx%d: %w", cfg.Display, w, h, err)
	}
	for _, lt := range c.layout.Tiles {
		t, err := newTile(src, lt.Number, lt.Rect, cfg, log)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.tiles = append(c.tiles, t)
		st, err := stream.NewTile(lt.Number, lt.Rect, cfg.Codec, t)
		if err != nil {
			c.Close()
			return nil, err
		}
		t.out, t.clock = st, st.Clock()
		c.out = append(c.out, st)
	}
	if c.cursor, err = cursor.Open(cursor.Config{Display: cfg.Display, Log: log}); err != nil {
		c.Close()
		return nil, err
	}
	if c.motion, err = rawinput.Open(cfg.Display); err != nil {
		log.Info("the pointer is read 60 times a second while anyone watches", "why", err)
		c.motion = nil
	} else if err := c.motion.WatchWarps(); err != nil {
		log.Info("the pointer is read twice a second while anyone watches, for programs that warp it", "why", err)
	} else {
		c.warps = true
	}
	sc := stream.Config{Log: log, LoopbackOnly: cfg.LoopbackOnly, MaxViewers: cfg.MaxViewers, MaxPeers: cfg.MaxPeers,
		Access: cfg.Access, VideoOnly: cfg.VideoOnly}
	if cfg.Input {
		if c.inj, err = inject.Open(inject.Config{Display: cfg.Display, Log: log}); err != nil {
			c.Close()
			return nil, err
		}
		sc.NewInput = func() stream.Input { return movePoker{c.inj.NewClient(), c.cursor} }
		sc.Pointer = func() (image.Point, error) {
			x, y, err := c.inj.Pointer()
			return image.Pt(x, y), err
		}
	}
	c.server, err = stream.New(sc, c.out)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.server.SetCursor(c.cursor.Shape()) // what viewers get until it changes
	c.server.SetCursorPos(c.cursor.Position())
	return c, nil
}

// Injector is the display's keyboard and mouse, which viewers drive (nil for
// a view-only desktop). Other input paths (the Synergy client) share it.
func (c *Compositor) Injector() *inject.Injector { return c.inj }

// Handler serves WHEP and GET /tiles (to requests with the token), and the
// browser viewer: / lists the tiles, /view/{tile} plays one.
func (c *Compositor) Handler() http.Handler {
	// The browser viewer's pages hold no secret: they carry no token check
	// (their requests to WHEP and /tiles do).
	pages := web.Handler()
	mux := http.NewServeMux()
	mux.Handle("/", c.server)
	mux.Handle("GET /{$}", pages)
	mux.Handle("GET /view/{tile}", pages)
	mux.Handle("GET /static/", pages)
	return mux
}

// Layout is the cut of the screen into tiles.
func (c *Compositor) Layout() layout.Layout { return c.layout }

// Stats returns each tile's counters, tile 1 first.
func (c *Compositor) Stats() []stream.TileStats {
	s := make([]stream.TileStats, len(c.out))
	for i, t := range c.out {
		s[i] = t.Stats()
	}
	return s
}

// Run watches the display and runs the tiles until ctx ends (nil) or the X
// display goes away (an error naming it).
func (c *Compositor) Run(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errors.New("compositor: Run after Close")
	}
	ctx, c.cancel = context.WithCancel(ctx)
	c.running.Add(1)
	c.mu.Unlock()
	defer c.running.Done()

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return c.watch(ctx) })
	g.Go(func() error { return c.followCursor(ctx) })
	if c.motion != nil {
		g.Go(func() error { c.followMotion(ctx); return nil })
	}
	for _, t := range c.tiles {
		g.Go(func() error { return t.run(ctx) })
	}
	return g.Wait()
}

// watch hands damage to the tiles it touches.
func (c *Compositor) watch(ctx context.Context) error {
	rects := make([]image.Rectangle, 0, 64)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.src.Done():
			return c.src.Err()
		case <-c.src.Damaged():
		}
		var err error
		if rects, err = c.src.Dirty(rects); err != nil {
			return err
		}
		for _, t := range c.tiles {
			for _, r := range rects {
				if r.Overlaps(t.rect) {
					t.markDirty(rects)
					break
				}
			}
		}
	}
}

// Close stops Run, waits for it, hangs up every viewer and releases the encoders
// and the display.
func (c *Compositor) Close() error {
	c.mu.Lock()
	c.closed = true
	if c.cancel != nil {
		c.cancel()
	}
	c.mu.Unlock()
	c.running.Wait()
	var errs []error
	if c.server != nil {
		errs = append(errs, c.server.Close())
	}
	if c.inj != nil { // after the sessions: they release what their viewers held
		errs = append(errs, c.inj.Close())
	}
	if c.cursor != nil {
		errs = append(errs, c.cursor.Close())
	}
	if c.motion != nil {
		errs = append(errs, c.motion.Close())
	}
	for _, t := range c.tiles {
		errs = append(errs, t.close())
	}
	errs = append(errs, c.src.Close())
	return errors.Join(errs...)
}

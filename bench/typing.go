package bench

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"slices"
	"sync/atomic"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"dream/internal/testpattern"
	"dream/internal/x11"
	"dream/proto"
	"dream/viewer/client"
	"dream/viewer/compose"
	"dream/viewer/player"
)

// Area is what the typing scenario's application repaints on each key.
type Area string

const (
	Square Area = "400x400 square"
	Screen Area = "whole screen" // 1920x1080
	Glyph  Area = "glyph"        // one character cell of text, as a terminal draws a typed key
)

// Areas are all of them, in the order the bench measures them.
var Areas = []Area{Square, Screen, Glyph}

// TypingConfig configures the typing scenario.
type TypingConfig struct {
	Codec     string // "h264" or "vp8"
	Samples   int    // keystrokes measured; 0 means 100
	Area      Area   // "" means Square
	Content   Content
	VideoOnly bool // dreamcomp --patches=false: every change as video
	Link      Link
	Dreamcomp string // the dreamcomp binary; "" finds it (see FindDreamcomp)
	// Encoding is the RFB encoding a VNC viewer asks for (raw, zrle or
	// tight); "" tries each for Probe keystrokes (0 means 10) and measures
	// the best.
	Encoding string
	Probe    int
}

// Latency is one keystroke's way, on this machine's one clock: Input from the
// viewer sending the key to the application seeing it, Output from the
// application having painted to the viewer decoding a picture that shows it,
// and Total from sending to seeing.
type Latency struct {
	Input, Output, Total time.Duration
}

// TypingResult is what the typing scenario measured.
type TypingResult struct {
	Codec   string
	Area    Area
	Content Content
	Link    Link
	// Tried is each RFB encoding's p50 over a few keystrokes, when the best
	// was picked by measuring.
	Tried   map[string]time.Duration
	Samples []Latency
	// Missed counts keystrokes the application painted whose picture the
	// viewer never showed within 5 s (a coarse frame that was never refined
	// shows as one); they are not among the samples.
	Missed int
	// Keys is how many keystrokes were typed while the server was measured
	// (the samples, the missed and one to warm up): Server.Bytes / Keys is
	// what a keystroke cost on the wire.
	Keys   int
	Server Usage // the server's while the keys were typed (its peak memory: ever)
}

// Percentile returns the p-th percentile (0 to 100) of what pick takes from
// each sample (nearest rank).
func (r TypingResult) Percentile(p float64, pick func(Latency) time.Duration) time.Duration {
	if len(r.Samples) == 0 {
		return 0
	}
	v := make([]time.Duration, len(r.Samples))
	for i, s := range r.Samples {
		v[i] = pick(s)
	}
	slices.Sort(v)
	i := int(p/100*float64(len(v))+0.5) - 1
	return v[max(0, min(i, len(v)-1))]
}

// The square that changes colour, as the issue of keystroke latency is usually
// measured: 400x400 near the top left of the tile.
var square = image.Rect(100, 100, 500, 500)

// Typing runs the typing scenario: a 1920x1080 desktop (its own Xvfb) served
// by dreamcomp, a viewer that sends keys on its input channel as dreamview does
// and decodes the video, and an X client that repaints a square (or the whole
// screen) in a new colour on every key it receives.
func Typing(ctx context.Context, cfg TypingConfig) (TypingResult, error) {
	cfg = cfg.withDefaults()
	res := TypingResult{Codec: cfg.Codec, Area: cfg.Area, Content: cfg.Content, Link: cfg.Link}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d, err := startDreamcomp(ctx, cfg.Dreamcomp, cfg.Link, "--tile-size", fmt.Sprintf("%dx%d", width, height), "--codec", cfg.Codec,
		fmt.Sprintf("--patches=%t", !cfg.VideoOnly))
	if err != nil {
		return res, err
	}
	defer d.stop()
	pat, err := testpattern.Start(d.display, 1)
	if err != nil {
		return res, err
	}
	defer pat.Close()
	app, err := startTypist(d.display, pat, cfg.area(pat), cfg.Area, cfg.Content)
	if err != nil {
		return res, err
	}
	defer app.close()

	w := &watcher{at: centre(), seen: make(chan struct{}, 1)}
	v, err := openView(ctx, d.client(1), w.changed)
	if err != nil {
		return res, err
	}
	defer v.close()
	sess := v.sess
	// The input channel opens shortly after the connection.
	for deadline := time.Now().Add(10 * time.Second); sess.Send(proto.ReleaseAll{}) != nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return res, errors.New("typing: the viewer's input channel never opened")
		}
	}

	// The viewer's first picture (a keyframe, and on the patch lane the whole
	// picture in exact pixels) is not the keystrokes'.
	if err := v.settled(ctx, 10*time.Second); err != nil {
		if tiles, terr := client.Tiles(ctx, d.client(1)); terr == nil {
			err = fmt.Errorf("%w; the tile: %+v", err, tiles[0])
		}
		return res, err
	}
	before, err := d.usage(ctx)
	if err != nil {
		return res, err
	}
	if res.Samples, res.Missed, err = typeKeys("dream", dreamViewer{v, w}, app, cfg.Samples); err != nil {
		return res, err
	}
	after, err := d.usage(ctx)
	res.Keys = len(res.Samples) + res.Missed + 1
	res.Server = Usage{CPU: after.CPU - before.CPU, PeakKB: after.PeakKB, Frames: after.Frames - before.Frames, Bytes: after.Bytes - before.Bytes}
	return res, err
}

func (cfg TypingConfig) withDefaults() TypingConfig {
	if cfg.Samples <= 0 {
		cfg.Samples = 100
	}
	if cfg.Content == "" {
		cfg.Content = Flat
	}
	if cfg.Probe <= 0 {
		cfg.Probe = 10
	}
	if cfg.Area == "" {
		cfg.Area = Square
	}
	return cfg
}

// area is the region the application repaints on each key.
func (cfg TypingConfig) area(pat *testpattern.Pattern) image.Rectangle {
	switch cfg.Area {
	case Screen:
		return pat.Bounds()
	case Glyph:
		return glyphCell()
	}
	return square
}

var _ keyViewer = (*rfb)(nil)
var _ keyViewer = dreamViewer{}

// keyViewer is what the keystroke loop needs of a viewer: to send a key, to
// be told the colour the square turns next, and to say when its picture
// shows that colour.
type keyViewer interface {
	key(sym uint32, down bool) error
	await(c color.RGBA)
	seen() <-chan struct{}
	failed() <-chan struct{} // closed when the viewer has stopped, for failure's reason
	failure() error
}

// typeKeys types samples keystrokes (after one to warm up: keyframe, keymap,
// a viewer that is still settling in, which may drop it: it is typed again
// until it arrives) through v, at a typist's pace, and times each on one
// clock.
func typeKeys(system string, v keyViewer, app *typist, samples int) (out []Latency, missed int, err error) {
	for i := 0; i < samples+1; i++ {
		var got typed
		var sent time.Time
		for try := 1; ; try++ {
			v.await(typingColours[(app.keys.Load()+1)%int64(len(typingColours))])
			sent = time.Now()
			if err := v.key('a', true); err != nil {
				return out, missed, err
			}
			if err := v.key('a', false); err != nil {
				return out, missed, err
			}
			wait := 10 * time.Second
			if i == 0 && try < 5 {
				wait = 2 * time.Second
			}
			select {
			case got = <-app.typed:
			case <-time.After(wait):
				if i == 0 && try < 5 {
					continue
				}
				return out, missed, fmt.Errorf("%s: keystroke %d never reached the application", system, i)
			}
			break
		}
		select {
		case <-v.seen():
		case <-v.failed():
			return out, missed, fmt.Errorf("%s: the viewer stopped at keystroke %d: %v", system, i, v.failure())
		case <-time.After(5 * time.Second):
			if i > 0 {
				missed++
			}
			if missed > samples/10+1 {
				return out, missed, fmt.Errorf("%s: %d keystrokes' pictures never reached the viewer, the last %d (%v)", system, missed, i, v)
			}
			continue
		}
		if seen := time.Now(); i > 0 {
			out = append(out, Latency{Input: got.seen.Sub(sent), Output: seen.Sub(got.painted), Total: seen.Sub(sent)})
		}
		time.Sleep(30 * time.Millisecond) // a typist's pace, not a flood
	}
	return out, missed, nil
}

// dreamViewer is a dream viewer as typeKeys drives it: keys on the input
// channel, the picture decoded and watched.
type dreamViewer struct {
	v *view
	w *watcher
}

func (v dreamViewer) key(sym uint32, down bool) error {
	return v.v.sess.Send(proto.Key{Down: down, Keysym: sym})
}
func (v dreamViewer) await(c color.RGBA)    { v.w.await(c) }
func (v dreamViewer) seen() <-chan struct{} { return v.w.seen }

// failed is never closed: a session that fails shows as keystrokes not seen.
func (v dreamViewer) failed() <-chan struct{} { return nil }
func (v dreamViewer) failure() error          { return nil }

func (v dreamViewer) String() string {
	c := v.w.last.Load()
	return fmt.Sprintf("%d updates shown, the last with colour #%06x at %v", v.w.updates.Load(), c, v.w.at)
}

// typingColours are the marker's colours, in turn: luma 33, 97, 164 and 226
// (BT.601 limited range), at least 60 apart, and each at least 60 from the
// others in some channel.
var typingColours = []color.RGBA{{20, 20, 20, 255}, {220, 40, 40, 255}, {90, 230, 90, 255}, {250, 250, 200, 255}}

// typed is one key the application saw, and when it had painted its answer.
type typed struct{ seen, painted time.Time }

// typist is the application: it listens for key presses (on the root window:
// they reach it from the window under the pointer) and repaints its area with
// the next of its pictures (uploaded beforehand, as an application keeps its
// glyphs and images in the X server).
type typist struct {
	keys  atomic.Int64 // seen so far
	conn  *xgb.Conn
	typed chan typed
	done  chan struct{}
}

func startTypist(display string, pat *testpattern.Pattern, area image.Rectangle, kind Area, content Content) (*typist, error) {
	imgs, err := contentPictures(content, area)
	if kind == Glyph {
		imgs, err = glyphPictures(area)
	}
	if err != nil {
		return nil, err
	}
	var pics []testpattern.Picture
	for _, img := range imgs {
		pic, err := pat.Upload(img)
		if err != nil {
			return nil, err
		}
		pics = append(pics, pic)
	}
	conn, _, err := x11.Dial(display)
	if err != nil {
		return nil, err
	}
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	if err := xproto.ChangeWindowAttributesChecked(conn, root, xproto.CwEventMask, []uint32{xproto.EventMaskKeyPress}).Check(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("typing: listen for keys: %w", err)
	}
	t := &typist{conn: conn, typed: make(chan typed, 8), done: make(chan struct{})}
	go func() {
		defer close(t.done)
		x11.Drain(conn, func(ev xgb.Event) {
			if _, ok := ev.(xproto.KeyPressEvent); !ok {
				return
			}
			seen := time.Now()
			if pat.Show(pics[t.keys.Add(1)%int64(len(pics))], area.Min) != nil { // returns once the X server has drawn it
				return
			}
			select {
			case t.typed <- typed{seen: seen, painted: time.Now()}:
			default:
			}
		}, nil)
	}()
	return t, nil
}

func (t *typist) close() {
	t.conn.Close()
	<-t.done
}

// view is one dream viewer of the bench, as dreamview plays a tile: its
// session, the picture it composes from the video and the patch channel, and
// the player that decodes into it.
type view struct {
	sess   *client.Session
	pic    *compose.Picture
	player *player.Player
	cancel context.CancelFunc
	played chan struct{}
}

// openView connects a viewer with cfg and plays until close; changed is
// called with the picture after each update it shows.
func openView(ctx context.Context, cfg client.Config, changed func(*compose.Picture)) (*view, error) {
	v := &view{played: make(chan struct{})}
	var sess atomic.Pointer[client.Session]
	pic, err := compose.New(compose.Config{
		Refresh: func() {
			if s := sess.Load(); s != nil {
				s.Refresh()
			}
		},
		Changed: func() {
			if changed != nil {
				changed(v.pic)
			}
		}})
	if err != nil {
		return nil, err
	}
	v.pic = pic
	cfg.OnPatch = pic.Message
	if v.sess, err = client.Dial(ctx, cfg); err != nil {
		pic.Close()
		return nil, err
	}
	sess.Store(v.sess)
	ctx, v.cancel = context.WithCancel(ctx)
	v.player = player.New(pic)
	go func() {
		defer close(v.played)
		v.sess.Frames(ctx, v.player.Handle)
	}()
	return v, nil
}

// settled waits until the viewer has its first picture (a keyframe, and the
// whole tile in patches when it has the patch lane) and nothing has come for
// 200 ms.
func (v *view) settled(ctx context.Context, within time.Duration) error {
	deadline := time.Now().Add(within)
	last, since := v.pic.Stats(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		now := v.pic.Stats()
		if now != last {
			last, since = now, time.Now()
		} else if now.Videos > 0 && time.Since(since) >= 200*time.Millisecond {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the viewer's first picture did not settle within %v (%+v; video %+v, %+v)", within, now, v.player.Stats(), v.sess.Loss())
		}
	}
}

// close stops playing, hangs up and frees the decoders.
func (v *view) close() {
	v.cancel()
	<-v.played
	v.sess.Close()
	v.player.Close()
	v.pic.Close()
}

// width and height are the desktop's: one 1920x1080 tile.
const width, height = 1920, 1080

// watcher signals when the picture's colour at one point becomes the
// awaited marker's.
type watcher struct {
	at      image.Point
	want    atomic.Int64 // the awaited marker's index in typingColours; -1: none
	seen    chan struct{}
	last    atomic.Uint32 // the colour of the last picture, for errors
	updates atomic.Int64
}

func (w *watcher) await(c color.RGBA) {
	w.want.Store(int64(slices.Index(typingColours, c)))
}

// changed looks at the picture after an update.
func (w *watcher) changed(pic *compose.Picture) {
	r, g, b, ok := pic.Pixel(w.at.X, w.at.Y)
	if !ok {
		return
	}
	w.last.Store(uint32(r)<<16 | uint32(g)<<8 | uint32(b))
	w.updates.Add(1)
	want := w.want.Load()
	// The picture shows the awaited marker when its colour is nearer that
	// marker's than any other's: a lossy codec moves a flat block's colour
	// a little, the markers are far apart.
	if want < 0 || nearestColour(r, g, b) != int(want) {
		return
	}
	select {
	case w.seen <- struct{}{}:
	default:
	}
	w.want.Store(-1) // signal once per change
}

// nearestColour is the index of the marker colour nearest r, g, b.
func nearestColour(r, g, b uint8) int {
	best, dist := 0, 1<<30
	for i, c := range typingColours {
		dr, dg, db := int(r)-int(c.R), int(g)-int(c.G), int(b)-int(c.B)
		if d := dr*dr + dg*dg + db*db; d < dist {
			best, dist = i, d
		}
	}
	return best
}

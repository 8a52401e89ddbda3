package bench

import (
	"bufio"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"dream/internal/turbojpeg"
)

// Encodings are the RFB encodings the bench's VNC viewer speaks, simplest
// first.
var Encodings = []string{"raw", "zrle", "tight"}

// RFB encoding numbers, and Tight's pseudo-encodings for JPEG quality and
// zlib level as TigerVNC's viewer sets them by default (quality 8, level 2).
const (
	encRaw           = 0
	encTight         = 7
	encZRLE          = 16
	encQuality8      = -32 + 8
	encCompressLevel = -256 + 2
)

// rfb is a small RFB (VNC) viewer: enough to measure a VNC server the way a
// viewer uses it. It speaks protocol 3.8 with no authentication (the servers
// run on loopback with -localhost), asks for 32-bit true colour in one
// encoding (Raw, ZRLE or Tight with JPEG), keeps asking for incremental
// updates and decodes every one into its framebuffer, as a viewer must before
// it can show anything; after each update it looks at one pixel.
type rfb struct {
	conn net.Conn
	r    *bufio.Reader
	wmu  sync.Mutex
	w, h int
	enc  string
	fbMu sync.Mutex // held while an update is decoded
	fb   []byte     // BGRX, w*h*4

	zrle  inflater
	tight [4]inflater
	jpeg  *turbojpeg.Decoder // Tight's JPEG rectangles
	buf   []byte             // scratch for compressed and decompressed data

	updates atomic.Int64 // FramebufferUpdates decoded
	bytes   atomic.Int64 // read from the server

	at      image.Point
	mu      sync.Mutex
	want    color.RGBA // awaited at at; A == 0 when nothing is
	seenC   chan struct{}
	done    chan error
	ended   chan struct{} // closed when reading ends, with readErr set
	readErr error
}

// dialRFB connects to addr over link, asks for enc and starts reading
// updates, watching the pixel at.
func dialRFB(addr string, link Link, enc string, at image.Point) (*rfb, error) {
	var conn net.Conn
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if conn, err = net.Dial("tcp", addr); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("rfb: %w", err)
	}
	c := &rfb{enc: enc, at: at, seenC: make(chan struct{}, 1), done: make(chan error, 1), ended: make(chan struct{})}
	c.conn = link.Conn(conn)
	c.r = bufio.NewReaderSize(countingReader{c.conn, &c.bytes}, 1<<20)
	if err := c.handshake(); err != nil {
		c.conn.Close()
		return nil, fmt.Errorf("rfb %s: %w", addr, err)
	}
	go func() {
		err := c.read()
		c.readErr = err
		close(c.ended)
		c.done <- err
	}()
	return c, nil
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func (c *rfb) handshake() error {
	var encs []int32
	switch c.enc {
	case "raw":
		encs = []int32{encRaw}
	case "zrle":
		encs = []int32{encZRLE, encRaw}
	case "tight":
		encs = []int32{encTight, encRaw, encQuality8, encCompressLevel}
	default:
		return fmt.Errorf("encoding %q: want raw, zrle or tight", c.enc)
	}
	c.conn.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.conn.SetDeadline(time.Time{})
	version := make([]byte, 12)
	if _, err := io.ReadFull(c.r, version); err != nil {
		return err
	}
	if _, err := c.conn.Write([]byte("RFB 003.008\n")); err != nil {
		return err
	}
	n, err := c.r.ReadByte()
	if err != nil {
		return err
	}
	if n == 0 {
		return errors.New("the server refused the connection")
	}
	types := make([]byte, n)
	if _, err := io.ReadFull(c.r, types); err != nil {
		return err
	}
	hasNone := false
	for _, t := range types {
		hasNone = hasNone || t == 1
	}
	if !hasNone {
		return fmt.Errorf("the server wants authentication (types %v): run it without a password on loopback", types)
	}
	if _, err := c.conn.Write([]byte{1}); err != nil {
		return err
	}
	var result uint32
	if err := binary.Read(c.r, binary.BigEndian, &result); err != nil || result != 0 {
		return fmt.Errorf("security result %d: %v", result, err)
	}
	if _, err := c.conn.Write([]byte{1}); err != nil { // ClientInit: shared
		return err
	}
	var init struct {
		W, H   uint16
		Format [16]byte
		NameN  uint32
	}
	if err := binary.Read(c.r, binary.BigEndian, &init); err != nil {
		return err
	}
	if _, err := c.r.Discard(int(init.NameN)); err != nil {
		return err
	}
	c.w, c.h = int(init.W), int(init.H)
	c.fb = make([]byte, c.w*c.h*4)
	// SetPixelFormat: 32 bits, depth 24, little endian, true colour, 8 bits a
	// channel at shifts 16, 8, 0 (BGRX in memory).
	msg := []byte{0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0}
	msg = append(msg, 2, 0, byte(len(encs)>>8), byte(len(encs)))
	for _, e := range encs {
		msg = binary.BigEndian.AppendUint32(msg, uint32(e))
	}
	return c.write(msg)
}

func (c *rfb) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.conn.Write(b)
	return err
}

// request asks for the changes since the last update, of the whole screen.
func (c *rfb) request() error {
	return c.write([]byte{3, 1, 0, 0, 0, 0, byte(c.w >> 8), byte(c.w), byte(c.h >> 8), byte(c.h)})
}

// key sends a key press or release (an X keysym).
func (c *rfb) key(sym uint32, down bool) error {
	d := byte(0)
	if down {
		d = 1
	}
	return c.write([]byte{4, d, 0, 0, byte(sym >> 24), byte(sym >> 16), byte(sym >> 8), byte(sym)})
}

// await says which colour the watched pixel should take next.
func (c *rfb) await(col color.RGBA) {
	c.mu.Lock()
	c.want = col
	c.mu.Unlock()
}

// seen fires when the watched pixel has taken the awaited colour.
func (c *rfb) seen() <-chan struct{} { return c.seenC }

// failed is closed when the viewer can no longer see anything.
func (c *rfb) failed() <-chan struct{} { return c.ended }

func (c *rfb) failure() error { return c.readErr }

func (c *rfb) String() string {
	c.fbMu.Lock()
	defer c.fbMu.Unlock()
	p := c.fb[(c.at.Y*c.w+c.at.X)*4:]
	return fmt.Sprintf("%d updates decoded, the last with R,G,B %d,%d,%d at %v", c.updates.Load(), p[2], p[1], p[0], c.at)
}

// read handles server messages until the connection ends, asking for the
// next update after each one (as viewers do).
func (c *rfb) read() error {
	if err := c.request(); err != nil {
		return err
	}
	hdr := make([]byte, 12)
	for {
		t, err := c.r.ReadByte()
		if err != nil {
			return err
		}
		switch t {
		case 0: // FramebufferUpdate
			if _, err := io.ReadFull(c.r, hdr[:3]); err != nil {
				return err
			}
			if err := c.update(int(binary.BigEndian.Uint16(hdr[1:3])), hdr); err != nil {
				return err
			}
			c.updates.Add(1)
			c.look()
			if err := c.request(); err != nil {
				return err
			}
		case 1: // SetColourMapEntries
			if _, err := io.ReadFull(c.r, hdr[:5]); err != nil {
				return err
			}
			if _, err := c.r.Discard(6 * int(binary.BigEndian.Uint16(hdr[3:5]))); err != nil {
				return err
			}
		case 2: // Bell
		case 3: // ServerCutText
			if _, err := io.ReadFull(c.r, hdr[:7]); err != nil {
				return err
			}
			if _, err := c.r.Discard(int(binary.BigEndian.Uint32(hdr[3:7]))); err != nil {
				return err
			}
		default:
			return fmt.Errorf("rfb: server message type %d", t)
		}
	}
}

// update decodes a FramebufferUpdate's n rectangles.
func (c *rfb) update(n int, hdr []byte) error {
	c.fbMu.Lock()
	defer c.fbMu.Unlock()
	for range n {
		if _, err := io.ReadFull(c.r, hdr); err != nil {
			return err
		}
		x, y := int(binary.BigEndian.Uint16(hdr[0:])), int(binary.BigEndian.Uint16(hdr[2:]))
		w, h := int(binary.BigEndian.Uint16(hdr[4:])), int(binary.BigEndian.Uint16(hdr[6:]))
		r := image.Rect(x, y, x+w, y+h)
		if !r.In(image.Rect(0, 0, c.w, c.h)) {
			return fmt.Errorf("rfb: rectangle %v outside the %dx%d screen", r, c.w, c.h)
		}
		if err := c.rect(r, int32(binary.BigEndian.Uint32(hdr[8:]))); err != nil {
			return err
		}
	}
	return nil
}

// look signals when the watched pixel shows the awaited colour.
func (c *rfb) look() {
	px := c.fb[(c.at.Y*c.w+c.at.X)*4:]
	c.mu.Lock()
	hit := c.want.A != 0 && nearest(color.RGBA{px[2], px[1], px[0], 255}) == c.want
	if hit {
		c.want = color.RGBA{}
	}
	c.mu.Unlock()
	if hit {
		select {
		case c.seenC <- struct{}{}:
		default:
		}
	}
}

// nearest is the marker colour nearest to c: what a picture shows where
// lossy coding moved the marker's colour a little.
func nearest(c color.RGBA) color.RGBA {
	var best color.RGBA
	bestD := -1
	for _, m := range typingColours {
		dr, dg, db := int(c.R)-int(m.R), int(c.G)-int(m.G), int(c.B)-int(m.B)
		if d := dr*dr + dg*dg + db*db; bestD < 0 || d < bestD {
			best, bestD = m, d
		}
	}
	return best
}

func (c *rfb) rect(r image.Rectangle, enc int32) error {
	switch enc {
	case encRaw:
		row := 4 * r.Dx()
		for y := r.Min.Y; y < r.Max.Y; y++ {
			off := (y*c.w + r.Min.X) * 4
			if _, err := io.ReadFull(c.r, c.fb[off:off+row]); err != nil {
				return err
			}
		}
		return nil
	case encZRLE:
		return c.zrleRect(r)
	case encTight:
		return c.tightRect(r)
	}
	return fmt.Errorf("rfb: encoding %d, not the %s asked for", enc, c.enc)
}

// set stores one pixel given as R, G, B.
func (c *rfb) set(x, y int, r, g, b byte) {
	p := c.fb[(y*c.w+x)*4:]
	p[0], p[1], p[2] = b, g, r
}

// inflater is one of a connection's zlib streams: each rectangle's
// compressed bytes continue it, and it is inflated exactly as far as that
// rectangle goes (the server flushes at the end of each, so nothing past it
// is needed; what is left, the flush's empty block, is read with the next).
type inflater struct {
	src chunks
	z   io.ReadCloser
}

// chunks is the compressed bytes not inflated yet. It has ReadByte, so flate
// reads no further than it needs.
type chunks struct{ b []byte }

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.b)
	c.b = c.b[n:]
	return n, nil
}

func (c *chunks) ReadByte() (byte, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	b := c.b[0]
	c.b = c.b[1:]
	return b, nil
}

// feed appends a rectangle's compressed bytes to what is left.
func (f *inflater) feed(b []byte) error {
	f.src.b = append(append(make([]byte, 0, len(f.src.b)+len(b)), f.src.b...), b...)
	if f.z == nil {
		z, err := zlib.NewReader(&f.src)
		if err != nil {
			return fmt.Errorf("rfb: zlib: %w", err)
		}
		f.z = z
	}
	return nil
}

func (f *inflater) Read(b []byte) (int, error) { return f.z.Read(b) }

func (f *inflater) reset() {
	if f.z != nil {
		f.z.Close()
	}
	f.z, f.src.b = nil, nil
}

// compressed reads n bytes of a rectangle's data into the scratch buffer.
func (c *rfb) compressed(n int) ([]byte, error) {
	if n > 64<<20 {
		return nil, fmt.Errorf("rfb: %d bytes of compressed data", n)
	}
	if cap(c.buf) < n {
		c.buf = make([]byte, n)
	}
	b := c.buf[:n]
	_, err := io.ReadFull(c.r, b)
	return b, err
}

// zrleRect decodes ZRLE (RFC 6143 7.7.6): 64x64 tiles of 3-byte pixels (B,
// G, R in this pixel format), raw, solid, packed palette or run-length.
func (c *rfb) zrleRect(r image.Rectangle) error {
	var n uint32
	if err := binary.Read(c.r, binary.BigEndian, &n); err != nil {
		return err
	}
	data, err := c.compressed(int(n))
	if err != nil {
		return err
	}
	if err := c.zrle.feed(data); err != nil {
		return err
	}
	z := bufio.NewReaderSize(&c.zrle, 4096) // reads ahead only within this rectangle
	var px [3]byte
	var palette [128][3]byte
	for ty := r.Min.Y; ty < r.Max.Y; ty += 64 {
		for tx := r.Min.X; tx < r.Max.X; tx += 64 {
			tile := image.Rect(tx, ty, min(tx+64, r.Max.X), min(ty+64, r.Max.Y))
			sub, err := z.ReadByte()
			if err != nil {
				return fmt.Errorf("rfb: zrle: %w", err)
			}
			switch {
			case sub == 0: // raw
				for y := tile.Min.Y; y < tile.Max.Y; y++ {
					for x := tile.Min.X; x < tile.Max.X; x++ {
						if _, err := io.ReadFull(z, px[:]); err != nil {
							return err
						}
						c.set(x, y, px[2], px[1], px[0])
					}
				}
			case sub == 1: // solid
				if _, err := io.ReadFull(z, px[:]); err != nil {
					return err
				}
				c.fill(tile, px[2], px[1], px[0])
			case sub <= 16: // packed palette
				size := int(sub)
				for i := range size {
					if _, err := io.ReadFull(z, palette[i][:]); err != nil {
						return err
					}
				}
				bits := 4
				switch {
				case size == 2:
					bits = 1
				case size <= 4:
					bits = 2
				}
				for y := tile.Min.Y; y < tile.Max.Y; y++ {
					var b byte
					left := 0
					for x := tile.Min.X; x < tile.Max.X; x++ {
						if left == 0 {
							if b, err = z.ReadByte(); err != nil {
								return err
							}
							left = 8
						}
						left -= bits
						i := int(b>>left) & (1<<bits - 1)
						p := palette[i%size]
						c.set(x, y, p[2], p[1], p[0])
					}
				}
			case sub == 128 || sub >= 130: // run-length, plain or with a palette
				size := 0
				if sub >= 130 {
					size = int(sub) - 128
					for i := range size {
						if _, err := io.ReadFull(z, palette[i][:]); err != nil {
							return err
						}
					}
				}
				x, y := tile.Min.X, tile.Min.Y
				for y < tile.Max.Y {
					run := 1
					if size == 0 {
						if _, err := io.ReadFull(z, px[:]); err != nil {
							return err
						}
						if run, err = zrleRun(z); err != nil {
							return err
						}
					} else {
						i, err := z.ReadByte()
						if err != nil {
							return err
						}
						if i&128 != 0 {
							if run, err = zrleRun(z); err != nil {
								return err
							}
						}
						px = palette[int(i&127)%size]
					}
					for ; run > 0 && y < tile.Max.Y; run-- {
						c.set(x, y, px[2], px[1], px[0])
						if x++; x == tile.Max.X {
							x, y = tile.Min.X, y+1
						}
					}
				}
			default:
				return fmt.Errorf("rfb: zrle subencoding %d", sub)
			}
		}
	}
	if z.Buffered() > 0 {
		return fmt.Errorf("rfb: zrle: %d bytes past the rectangle", z.Buffered())
	}
	return nil
}

// zrleRun reads a run length: bytes of 255 and a last one below, plus one.
func zrleRun(z io.ByteReader) (int, error) {
	n := 1
	for {
		b, err := z.ReadByte()
		if err != nil {
			return 0, err
		}
		n += int(b)
		if b != 255 {
			return n, nil
		}
	}
}

func (c *rfb) fill(r image.Rectangle, red, g, b byte) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := c.fb[(y*c.w+r.Min.X)*4 : (y*c.w+r.Max.X)*4]
		for i := 0; i < len(row); i += 4 {
			row[i], row[i+1], row[i+2] = b, g, red
		}
	}
}

// tightRect decodes Tight (the RFB community's extension, as TigerVNC and
// x11vnc send it): fill, JPEG, or zlib-compressed pixels behind a copy,
// palette or gradient filter, pixels as 3 bytes R, G, B.
func (c *rfb) tightRect(r image.Rectangle) error {
	ctl, err := c.r.ReadByte()
	if err != nil {
		return err
	}
	for i := range 4 {
		if ctl&(1<<i) != 0 {
			c.tight[i].reset()
		}
	}
	kind := ctl >> 4
	switch {
	case kind == 8: // fill
		var px [3]byte
		if _, err := io.ReadFull(c.r, px[:]); err != nil {
			return err
		}
		c.fill(r, px[0], px[1], px[2])
		return nil
	case kind == 9: // JPEG
		n, err := compactLength(c.r)
		if err != nil {
			return err
		}
		data, err := c.compressed(n)
		if err != nil {
			return err
		}
		if c.jpeg == nil {
			if c.jpeg, err = turbojpeg.NewDecoder(); err != nil {
				return err
			}
		}
		return c.jpeg.DecodeBGRX(data, c.fb[(r.Min.Y*c.w+r.Min.X)*4:], r.Dx(), r.Dy(), c.w*4)
	case kind > 7:
		return fmt.Errorf("rfb: tight compression %#x", ctl)
	}
	stream := int(kind & 3)
	filter := byte(0)
	if kind&4 != 0 {
		if filter, err = c.r.ReadByte(); err != nil {
			return err
		}
	}
	w, h := r.Dx(), r.Dy()
	var palette [256][3]byte
	colours, size := 0, w*h*3
	switch filter {
	case 0, 2: // copy, gradient
	case 1: // palette
		n, err := c.r.ReadByte()
		if err != nil {
			return err
		}
		colours = int(n) + 1
		for i := range colours {
			if _, err := io.ReadFull(c.r, palette[i][:]); err != nil {
				return err
			}
		}
		size = w * h
		if colours == 2 {
			size = (w + 7) / 8 * h
		}
	default:
		return fmt.Errorf("rfb: tight filter %d", filter)
	}
	var data []byte
	if size < 12 { // sent as is
		if data, err = c.compressed(size); err != nil {
			return err
		}
		data = append([]byte(nil), data...)
	} else {
		n, err := compactLength(c.r)
		if err != nil {
			return err
		}
		in, err := c.compressed(n)
		if err != nil {
			return err
		}
		if err := c.tight[stream].feed(in); err != nil {
			return err
		}
		data = make([]byte, size)
		if _, err := io.ReadFull(&c.tight[stream], data); err != nil {
			return fmt.Errorf("rfb: tight zlib stream %d: %w", stream, err)
		}
	}
	switch {
	case filter == 1 && colours == 2:
		stride := (w + 7) / 8
		for y := range h {
			for x := range w {
				p := palette[data[y*stride+x/8]>>(7-x%8)&1]
				c.set(r.Min.X+x, r.Min.Y+y, p[0], p[1], p[2])
			}
		}
	case filter == 1:
		for y := range h {
			for x := range w {
				p := palette[int(data[y*w+x])%colours]
				c.set(r.Min.X+x, r.Min.Y+y, p[0], p[1], p[2])
			}
		}
	case filter == 2:
		// Each channel predicted from left + above - above-left, clamped.
		prev := make([]int, (w+1)*3) // the row above, with a zero column on the left
		cur := make([]int, (w+1)*3)
		for y := range h {
			for x := range w {
				for ch := range 3 {
					pred := min(max(cur[x*3+ch]+prev[(x+1)*3+ch]-prev[x*3+ch], 0), 255)
					cur[(x+1)*3+ch] = (pred + int(data[(y*w+x)*3+ch])) & 255
				}
				c.set(r.Min.X+x, r.Min.Y+y, byte(cur[(x+1)*3]), byte(cur[(x+1)*3+1]), byte(cur[(x+1)*3+2]))
			}
			prev, cur = cur, prev
		}
	default:
		for y := range h {
			for x := range w {
				p := data[(y*w+x)*3:]
				c.set(r.Min.X+x, r.Min.Y+y, p[0], p[1], p[2])
			}
		}
	}
	return nil
}

// compactLength reads Tight's 1 to 3 byte length.
func compactLength(r io.ByteReader) (int, error) {
	n := 0
	for i := range 3 {
		b, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		if i == 2 {
			return n | int(b)<<14, nil
		}
		n |= int(b&127) << (7 * i)
		if b&128 == 0 {
			return n, nil
		}
	}
	return n, nil
}

func (c *rfb) close() error {
	err := c.conn.Close()
	<-c.done
	if c.jpeg != nil {
		c.jpeg.Close()
	}
	return err
}

package bench

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"net"
	"sync"
	"time"
)

// rfb is a small RFB (VNC) client: enough to measure a VNC server the way a
// viewer would use it. It speaks protocol 3.8 with no authentication (the
// servers run on loopback with -localhost), asks for 32-bit true colour and
// Raw pixels (the best encoding on loopback, where bandwidth costs nothing and
// decoding nothing), keeps asking for incremental updates, and watches one
// pixel.
type rfb struct {
	conn net.Conn
	r    *bufio.Reader
	wmu  sync.Mutex
	w, h int

	at    image.Point
	mu    sync.Mutex
	want  uint32        // 0xRRGGBB awaited at at; 1<<31 when nothing is awaited
	seenC chan struct{} // see seen
	done  chan error
}

// dialRFB connects to addr and starts reading updates, watching the pixel at.
func dialRFB(addr string, at image.Point) (*rfb, error) {
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
	c := &rfb{conn: conn, r: bufio.NewReaderSize(conn, 1<<20), at: at, want: 1 << 31, seenC: make(chan struct{}, 1), done: make(chan error, 1)}
	if err := c.handshake(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("rfb %s: %w", addr, err)
	}
	go func() { c.done <- c.read() }()
	return c, nil
}

func (c *rfb) handshake() error {
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
	// SetPixelFormat: 32 bits, depth 24, little endian, true colour, 8 bits a
	// channel at shifts 16, 8, 0 (BGRX in memory).
	pf := []byte{0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0}
	// SetEncodings: Raw only.
	enc := []byte{2, 0, 0, 1, 0, 0, 0, 0}
	return c.write(append(pf, enc...))
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
	c.want = uint32(col.R)<<16 | uint32(col.G)<<8 | uint32(col.B)
	c.mu.Unlock()
}

// seen fires when the watched pixel has taken the awaited colour.
func (c *rfb) seen() <-chan struct{} { return c.seenC }

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
			n := int(binary.BigEndian.Uint16(hdr[1:3]))
			for i := 0; i < n; i++ {
				if _, err := io.ReadFull(c.r, hdr); err != nil {
					return err
				}
				x, y := int(binary.BigEndian.Uint16(hdr[0:])), int(binary.BigEndian.Uint16(hdr[2:]))
				w, h := int(binary.BigEndian.Uint16(hdr[4:])), int(binary.BigEndian.Uint16(hdr[6:]))
				if enc := int32(binary.BigEndian.Uint32(hdr[8:])); enc != 0 {
					return fmt.Errorf("rfb: encoding %d, not the Raw asked for", enc)
				}
				if err := c.raw(image.Rect(x, y, x+w, y+h)); err != nil {
					return err
				}
			}
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

// raw reads a Raw rectangle, looking at the watched pixel if it is inside.
func (c *rfb) raw(r image.Rectangle) error {
	row := 4 * r.Dx()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		if y != c.at.Y || c.at.X < r.Min.X || c.at.X >= r.Max.X {
			if _, err := c.r.Discard(row); err != nil {
				return err
			}
			continue
		}
		off := 4 * (c.at.X - r.Min.X)
		if _, err := c.r.Discard(off); err != nil {
			return err
		}
		px := make([]byte, 4)
		if _, err := io.ReadFull(c.r, px); err != nil {
			return err
		}
		if _, err := c.r.Discard(row - off - 4); err != nil {
			return err
		}
		rgb := uint32(px[2])<<16 | uint32(px[1])<<8 | uint32(px[0])
		c.mu.Lock()
		hit := rgb == c.want
		if hit {
			c.want = 1 << 31
		}
		c.mu.Unlock()
		if hit {
			select {
			case c.seenC <- struct{}{}:
			default:
			}
		}
	}
	return nil
}

func (c *rfb) close() error {
	err := c.conn.Close()
	<-c.done
	return err
}

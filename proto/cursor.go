package proto

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// CursorPos is where the desktop's pointer is, relative to the receiving
// viewer's tile: it may lie outside the tile (another viewer draws it then).
// Visible is false while the cursor is hidden. Seq grows with each position sent
// to a viewer; it travels on the unordered motion channel, where an older one may
// arrive after a newer.
//
//	2  seq      uint32
//	6  x        int16
//	8  y        int16
//	10 visible  uint8   1 shown, 0 hidden
type CursorPos struct {
	Seq     uint32
	X, Y    int16
	Visible bool
}

func (m CursorPos) AppendMarshal(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(header(b, TypeCursorPos), m.Seq)
	b = binary.BigEndian.AppendUint16(b, uint16(m.X))
	b = binary.BigEndian.AppendUint16(b, uint16(m.Y))
	return append(b, bit(m.Visible))
}

// MaxCursor bounds a cursor image's width and height.
const MaxCursor = 256

// Cursor is the desktop cursor's image, sent on the control channel when it
// changes and to each viewer when it connects.
//
//	2  serial   uint32  the X server's cursor serial
//	6  width    uint16  1 to MaxCursor
//	8  height   uint16  1 to MaxCursor
//	10 hot x    uint16  < width
//	12 hot y    uint16  < height
//	14 pixels   zstd frame of width*height*4 bytes: R, G, B, A, premultiplied alpha
type Cursor struct {
	Serial        uint32
	Width, Height int
	HotX, HotY    int
	Pixels        []byte // RGBA, premultiplied, Width*Height*4 bytes
}

const cursorHeader = 12

var (
	zenc     *zstd.Encoder
	zdec     *zstd.Decoder
	zencOnce sync.Once
	zdecOnce sync.Once
)

// AppendMarshal appends the cursor with its pixels compressed. A cursor whose
// fields are out of range marshals as a 1x1 transparent one.
func (m Cursor) AppendMarshal(b []byte) []byte {
	if m.Width < 1 || m.Height < 1 || m.Width > MaxCursor || m.Height > MaxCursor ||
		m.HotX < 0 || m.HotY < 0 || m.HotX >= m.Width || m.HotY >= m.Height || len(m.Pixels) != m.Width*m.Height*4 {
		m = Cursor{Serial: m.Serial, Width: 1, Height: 1, Pixels: make([]byte, 4)}
	}
	zencOnce.Do(func() {
		zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	})
	b = binary.BigEndian.AppendUint32(header(b, TypeCursor), m.Serial)
	for _, v := range []int{m.Width, m.Height, m.HotX, m.HotY} {
		b = binary.BigEndian.AppendUint16(b, uint16(v))
	}
	return zenc.EncodeAll(m.Pixels, b)
}

func unmarshalCursor(body []byte) (Message, error) {
	if len(body) < cursorHeader {
		return nil, fmt.Errorf("cursor: %d bytes: %w", len(body), ErrShort)
	}
	m := Cursor{
		Serial: binary.BigEndian.Uint32(body[0:4]),
		Width:  int(binary.BigEndian.Uint16(body[4:6])), Height: int(binary.BigEndian.Uint16(body[6:8])),
		HotX: int(binary.BigEndian.Uint16(body[8:10])), HotY: int(binary.BigEndian.Uint16(body[10:12])),
	}
	if m.Width < 1 || m.Height < 1 || m.Width > MaxCursor || m.Height > MaxCursor || m.HotX >= m.Width || m.HotY >= m.Height {
		return nil, fmt.Errorf("cursor: %dx%d with hotspot %d,%d: %w", m.Width, m.Height, m.HotX, m.HotY, ErrValue)
	}
	zdecOnce.Do(func() {
		zdec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(MaxCursor*MaxCursor*4))
	})
	want := m.Width * m.Height * 4
	px, err := zdec.DecodeAll(body[cursorHeader:], make([]byte, 0, want))
	if err != nil {
		return nil, fmt.Errorf("cursor: pixels: %v: %w", err, ErrValue)
	}
	if len(px) != want {
		return nil, fmt.Errorf("cursor: %d bytes of pixels for %dx%d: %w", len(px), m.Width, m.Height, ErrValue)
	}
	m.Pixels = px
	return m, nil
}

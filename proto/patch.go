package proto

import (
	"encoding/binary"
	"fmt"
	"image"
)

// The patch channel's messages (version 2). The desktop sends each tile as a
// series of updates, numbered in capture order: exact pixels of rectangles
// (Patch), and for what moves, which rectangles of a video frame to take
// (Video). A viewer applies them in the order they come, which is capture
// order; a Video message waits for its frame.

// Probe is the empty message the desktop may send on the patch channel after
// an update, so that a lost packet at its end is reported, and resent, at
// once (a reliable channel otherwise waits a second or more for it). A
// viewer ignores it.
var Probe = []byte{}

// MaxPatch bounds a patch channel message (a Patch's data is at most a few
// bytes a pixel of MaxPatchPixels). Browsers take messages of 256 KiB.
const MaxPatch = 256 << 10

// MaxPatchPixels bounds a Patch's width × height, except for a Solid one: the
// sender splits larger rectangles. A decoder never writes more than this.
const MaxPatchPixels = 1 << 16

// MaxVideoRects bounds the rectangles of one Video message.
const MaxVideoRects = 1024

// Rect is a rectangle of a tile, in its pixels.
type Rect struct {
	X, Y, W, H uint16
}

// Image is r as an image.Rectangle.
func (r Rect) Image() image.Rectangle {
	return image.Rect(int(r.X), int(r.Y), int(r.X)+int(r.W), int(r.Y)+int(r.H))
}

// RectOf is the Rect of r, which must lie within 0..65535.
func RectOf(r image.Rectangle) Rect {
	return Rect{X: uint16(r.Min.X), Y: uint16(r.Min.Y), W: uint16(r.Dx()), H: uint16(r.Dy())}
}

// Encodings of a Patch's data (see internal/patch for the details):
//
//	0  Solid    R, G, B: every pixel that colour
//	1  Palette  a zstd frame: count-1 (uint8), count × R,G,B, then one index a pixel
//	2  QOI      a zstd frame: QOI operations (RGB, no header, no end marker)
//	3  JPEG     a baseline JPEG image, lossy: an exact Patch of the same place follows
//	4  QOIRaw   QOI operations as for QOI, not compressed (a glyph: zstd's frame
//	            would cost more than it saves)
const (
	EncodingSolid   uint8 = 0
	EncodingPalette uint8 = 1
	EncodingQOI     uint8 = 2
	EncodingJPEG    uint8 = 3
	EncodingQOIRaw  uint8 = 4
	maxEncoding           = EncodingQOIRaw
)

// Flags of Patch and Video messages.
const (
	flagLast = 1 << 0 // the last message of its update
)

// Patch is the pixels of one rectangle of the tile, part of update Update.
//
//	2  update    uint32  grows by one for each update of the tile
//	6  flags     uint8   bit 0: the last message of its update
//	7  stamp     uint32  when the desktop captured it, on the tile's RTP clock
//	                     (90 kHz; Clock ties it to wall-clock time)
//	11 x         uint16  the rectangle, in the tile's pixels
//	13 y         uint16
//	15 width     uint16  1 or more
//	17 height    uint16  1 or more; width × height at most MaxPatchPixels but for Solid
//	19 encoding  uint8   EncodingSolid … EncodingQOIRaw
//	20 data      the rest of the message, at least one byte
type Patch struct {
	Update   uint32
	Last     bool
	Stamp    uint32
	Rect     Rect
	Encoding uint8
	Data     []byte // Unmarshal's aliases the message
}

const patchHeader = 18

// Video says which rectangles of the video frame stamped RTP to take into the
// tile's picture (the rest of the frame is coarser than what the viewer holds).
// A frame with no Video message, or an empty one, is taken for nothing.
//
//	2  update  uint32
//	6  flags   uint8   bit 0: the last message of its update
//	7  rtp     uint32  the frame's RTP timestamp
//	11 count   uint16  0 to MaxVideoRects
//	13 rects   count × (x, y, width, height uint16), each inside the tile
type Video struct {
	Update uint32
	Last   bool
	RTP    uint32
	Rects  []Rect
}

const videoHeader = 11

// Refresh asks the desktop for the whole tile in exact pixels (the viewer
// dropped a message it could not use). Viewer to desktop; no body.
type Refresh struct{}

func (Patch) Type() Type   { return TypePatch }
func (Video) Type() Type   { return TypeVideo }
func (Refresh) Type() Type { return TypeRefresh }

var (
	_ Message = Patch{}
	_ Message = Video{}
	_ Message = Refresh{}
)

func appendRect(b []byte, r Rect) []byte {
	b = binary.BigEndian.AppendUint16(b, r.X)
	b = binary.BigEndian.AppendUint16(b, r.Y)
	b = binary.BigEndian.AppendUint16(b, r.W)
	return binary.BigEndian.AppendUint16(b, r.H)
}

func readRect(b []byte) Rect {
	return Rect{X: binary.BigEndian.Uint16(b[0:2]), Y: binary.BigEndian.Uint16(b[2:4]),
		W: binary.BigEndian.Uint16(b[4:6]), H: binary.BigEndian.Uint16(b[6:8])}
}

func (m Patch) AppendMarshal(b []byte) []byte {
	b = m.AppendHeader(b)
	return append(b, m.Data...)
}

// AppendHeader appends the message without its data, for a sender that
// appends the data itself (encoding it in place).
func (m Patch) AppendHeader(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(header(b, TypePatch), m.Update)
	b = append(b, bit(m.Last))
	b = binary.BigEndian.AppendUint32(b, m.Stamp)
	b = appendRect(b, m.Rect)
	return append(b, m.Encoding)
}

// SetLast sets the last-of-update flag of a marshalled Patch or Video
// message b; it does nothing to other messages.
func SetLast(b []byte, last bool) {
	if len(b) > 6 && b[0] == 2 && (Type(b[1]) == TypePatch || Type(b[1]) == TypeVideo) {
		b[6] = bit(last)
	}
}

// IsLast reports whether b, a marshalled Patch or Video message, ends its
// update.
func IsLast(b []byte) bool {
	return len(b) > 6 && b[0] == 2 && (Type(b[1]) == TypePatch || Type(b[1]) == TypeVideo) && b[6]&flagLast != 0
}

func (m Video) AppendMarshal(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(header(b, TypeVideo), m.Update)
	b = append(b, bit(m.Last))
	b = binary.BigEndian.AppendUint32(b, m.RTP)
	b = binary.BigEndian.AppendUint16(b, uint16(len(m.Rects)))
	for _, r := range m.Rects {
		b = appendRect(b, r)
	}
	return b
}

func (Refresh) AppendMarshal(b []byte) []byte { return header(b, TypeRefresh) }

func flags(b byte, what string) (last bool, err error) {
	if b&^flagLast != 0 {
		return false, fmt.Errorf("%s: flags %#x: %w", what, b, ErrValue)
	}
	return b&flagLast != 0, nil
}

func unmarshalPatch(body []byte) (Message, error) {
	if len(body) < patchHeader+1 {
		return nil, fmt.Errorf("patch: %d bytes: %w", len(body), ErrShort)
	}
	last, err := flags(body[4], "patch")
	if err != nil {
		return nil, err
	}
	m := Patch{Update: binary.BigEndian.Uint32(body[0:4]), Last: last, Stamp: binary.BigEndian.Uint32(body[5:9]),
		Rect: readRect(body[9:17]), Encoding: body[17], Data: body[patchHeader:]}
	r := m.Rect
	switch {
	case r.W == 0 || r.H == 0:
		return nil, fmt.Errorf("patch: empty %dx%d rectangle: %w", r.W, r.H, ErrValue)
	case m.Encoding > maxEncoding:
		return nil, fmt.Errorf("patch: encoding %d: %w", m.Encoding, ErrValue)
	case m.Encoding != EncodingSolid && int(r.W)*int(r.H) > MaxPatchPixels:
		return nil, fmt.Errorf("patch: %dx%d rectangle, more than %d pixels: %w", r.W, r.H, MaxPatchPixels, ErrValue)
	case m.Encoding == EncodingSolid && len(m.Data) != 3:
		return nil, fmt.Errorf("patch: solid colour of %d bytes, want 3: %w", len(m.Data), ErrValue)
	}
	return m, nil
}

func unmarshalVideo(body []byte) (Message, error) {
	if len(body) < videoHeader {
		return nil, fmt.Errorf("video: %d bytes: %w", len(body), ErrShort)
	}
	last, err := flags(body[4], "video")
	if err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(body[9:11]))
	switch rest := len(body) - videoHeader; {
	case n > MaxVideoRects:
		return nil, fmt.Errorf("video: %d rectangles, more than %d: %w", n, MaxVideoRects, ErrValue)
	case rest < 8*n:
		return nil, fmt.Errorf("video: %d bytes for %d rectangles: %w", rest, n, ErrShort)
	case rest > 8*n:
		return nil, fmt.Errorf("video: %d bytes for %d rectangles: %w", rest, n, ErrLong)
	}
	m := Video{Update: binary.BigEndian.Uint32(body[0:4]), Last: last, RTP: binary.BigEndian.Uint32(body[5:9])}
	if n > 0 {
		m.Rects = make([]Rect, n)
	}
	for i := range m.Rects {
		r := readRect(body[videoHeader+8*i:])
		if r.W == 0 || r.H == 0 {
			return nil, fmt.Errorf("video: rectangle %d is empty (%dx%d): %w", i, r.W, r.H, ErrValue)
		}
		m.Rects[i] = r
	}
	return m, nil
}

package proto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Version is the newest protocol version this package speaks. Every bump is
// recorded in the package comment. A message carries the version that defined
// its type (typeVersion), so a viewer or desktop of an older version still
// understands every message it knows.
const Version = 2

// MaxSize bounds any message but a patch channel's (MaxPatch); a data channel
// message longer than this is not one of ours. (The largest is a Cursor.)
const MaxSize = 64 << 10

// MaxText bounds the UTF-8 bytes of one Text message.
const MaxText = 240

// Type says which message follows the header.
type Type uint8

// Message types. Zero is never sent.
const (
	TypeKey        Type = 1
	TypeButton     Type = 2
	TypeWheel      Type = 3
	TypeMotion     Type = 4
	TypeText       Type = 5
	TypeReleaseAll Type = 6
	TypeCursorPos  Type = 7
	TypeCursor     Type = 8
	TypeMoveBy     Type = 9
	TypeJump       Type = 10
	TypeClock      Type = 11
	TypePatch      Type = 12 // version 2
	TypeVideo      Type = 13 // version 2
	TypeRefresh    Type = 14 // version 2
)

// typeVersion is the version that defined each type's layout, which its
// messages carry.
var typeVersion = [...]byte{TypeKey: 1, TypeButton: 1, TypeWheel: 1, TypeMotion: 1, TypeText: 1,
	TypeReleaseAll: 1, TypeCursorPos: 1, TypeCursor: 1, TypeMoveBy: 1, TypeJump: 1, TypeClock: 1,
	TypePatch: 2, TypeVideo: 2, TypeRefresh: 2}

// Errors Unmarshal wraps; a receiver counts them by kind.
var (
	ErrShort   = errors.New("message too short")
	ErrLong    = errors.New("message too long")
	ErrVersion = errors.New("unknown protocol version")
	ErrType    = errors.New("unknown message type")
	ErrValue   = errors.New("value out of range")
)

// Header layout, in every message:
//
//	0  version  uint8
//	1  type     uint8
const headerSize = 2

// Key is a key going down or up on the viewer.
//
//	2  down     uint8   1 pressed, 0 released
//	3  keysym   uint32  X keysym the viewer's layout gives the key (0: unknown)
//	7  keycode  uint16  the physical key: X keycode on the viewer (0: unknown)
type Key struct {
	Down    bool
	Keysym  uint32
	Keycode uint16
}

// Button is a mouse button going down or up.
//
//	2  down    uint8  1 pressed, 0 released
//	3  button  uint8  X button number: 1 left, 2 middle, 3 right, 8 back, 9 forward
type Button struct {
	Down   bool
	Button uint8
}

// Wheel is a scroll, in 1/120ths of a notch (positive: right, down).
//
//	2  dx  int16
//	4  dy  int16
type Wheel struct {
	DX, DY int16
}

// Motion puts the pointer at a point of the viewer's tile, in the tile's pixels.
// Seq grows with every Motion a viewer sends: on the unordered channel an older
// one may arrive after a newer, and is dropped.
//
//	2  seq  uint32
//	6  x    uint16
//	8  y    uint16
type Motion struct {
	Seq  uint32
	X, Y uint16
}

// Text is text to type that no Key carried (an input method's result).
//
//	2  len   uint8   bytes of UTF-8 that follow, 1 to MaxText
//	3  text  [len]byte
type Text struct {
	Text string
}

// MoveBy moves the pointer by a distance in desktop pixels: a captured pointer
// (relative mode), which may leave the viewer's tile for the next one. It goes
// on the reliable input channel: lost distances would add up.
//
//	2  dx  int16
//	4  dy  int16
type MoveBy struct {
	DX, DY int16
}

// Jump puts the pointer at the centre of the next tile (Dir 1) or the previous
// one (Dir -1), counted from the tile that holds it now.
//
//	2  dir  int8   1 or -1
type Jump struct {
	Dir int8
}

// Clock ties the tile's RTP timestamps to the desktop's wall clock: a frame
// stamped RTP was captured at Unix time UnixNano + (RTP - RTPBase) / 90 kHz
// (RTP - RTPBase taken modulo 2^32). A viewer that shares the desktop's clock
// (the same machine, or both synchronised) measures capture-to-screen latency
// with it. Sent on the control channel when it opens.
//
//	2  rtp base   uint32
//	6  unix nano  int64
type Clock struct {
	RTPBase  uint32
	UnixNano int64
}

// ReleaseAll releases every key and button the viewer holds (it lost focus).
// It has no body.
type ReleaseAll struct{}

// Message is one of the types above.
type Message interface {
	// AppendMarshal appends the message, header included, to b.
	AppendMarshal(b []byte) []byte
	Type() Type
}

var (
	_ Message = CursorPos{}
	_ Message = Cursor{}
	_ Message = Clock{}
	_ Message = MoveBy{}
	_ Message = Jump{}
	_ Message = Key{}
	_ Message = Button{}
	_ Message = Wheel{}
	_ Message = Motion{}
	_ Message = Text{}
	_ Message = ReleaseAll{}
)

func (Key) Type() Type        { return TypeKey }
func (Button) Type() Type     { return TypeButton }
func (Wheel) Type() Type      { return TypeWheel }
func (Motion) Type() Type     { return TypeMotion }
func (Text) Type() Type       { return TypeText }
func (ReleaseAll) Type() Type { return TypeReleaseAll }
func (CursorPos) Type() Type  { return TypeCursorPos }
func (Cursor) Type() Type     { return TypeCursor }
func (MoveBy) Type() Type     { return TypeMoveBy }
func (Jump) Type() Type       { return TypeJump }
func (Clock) Type() Type      { return TypeClock }

// bodySize is each fixed-size type's body length; Text's, Cursor's, Patch's
// and Video's vary.
var bodySize = [...]int{TypeKey: 7, TypeButton: 2, TypeWheel: 4, TypeMotion: 8, TypeReleaseAll: 0, TypeCursorPos: 9,
	TypeMoveBy: 4, TypeJump: 1, TypeClock: 12, TypeRefresh: 0}

func header(b []byte, t Type) []byte { return append(b, typeVersion[t], byte(t)) }

func bit(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func (m Key) AppendMarshal(b []byte) []byte {
	b = append(header(b, TypeKey), bit(m.Down))
	b = binary.BigEndian.AppendUint32(b, m.Keysym)
	return binary.BigEndian.AppendUint16(b, m.Keycode)
}

func (m Button) AppendMarshal(b []byte) []byte {
	return append(header(b, TypeButton), bit(m.Down), m.Button)
}

func (m Wheel) AppendMarshal(b []byte) []byte {
	b = binary.BigEndian.AppendUint16(header(b, TypeWheel), uint16(m.DX))
	return binary.BigEndian.AppendUint16(b, uint16(m.DY))
}

func (m Motion) AppendMarshal(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(header(b, TypeMotion), m.Seq)
	b = binary.BigEndian.AppendUint16(b, m.X)
	return binary.BigEndian.AppendUint16(b, m.Y)
}

// AppendMarshal appends the text, cut at MaxText bytes on a rune boundary.
func (m Text) AppendMarshal(b []byte) []byte {
	s := m.Text
	for len(s) > MaxText {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	b = append(header(b, TypeText), byte(len(s)))
	return append(b, s...)
}

func (ReleaseAll) AppendMarshal(b []byte) []byte { return header(b, TypeReleaseAll) }

func (m MoveBy) AppendMarshal(b []byte) []byte {
	b = binary.BigEndian.AppendUint16(header(b, TypeMoveBy), uint16(m.DX))
	return binary.BigEndian.AppendUint16(b, uint16(m.DY))
}

func (m Jump) AppendMarshal(b []byte) []byte { return append(header(b, TypeJump), byte(m.Dir)) }

func (m Clock) AppendMarshal(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(header(b, TypeClock), m.RTPBase)
	return binary.BigEndian.AppendUint64(b, uint64(m.UnixNano))
}

// Unmarshal decodes one message. Errors wrap ErrShort, ErrLong, ErrVersion,
// ErrType or ErrValue.
func Unmarshal(b []byte) (Message, error) {
	if len(b) < headerSize {
		return nil, fmt.Errorf("%d bytes: %w", len(b), ErrShort)
	}
	t, body := Type(b[1]), b[headerSize:]
	if limit := MaxSize; len(b) > limit && (t != TypePatch || len(b) > MaxPatch) {
		if t == TypePatch {
			limit = MaxPatch
		}
		return nil, fmt.Errorf("%d bytes, more than %d: %w", len(b), limit, ErrLong)
	}
	if b[0] < 1 || b[0] > Version {
		return nil, fmt.Errorf("version %d (this side speaks 1 to %d): %w", b[0], Version, ErrVersion)
	}
	if t == 0 || int(t) >= len(typeVersion) {
		return nil, fmt.Errorf("type %d: %w", t, ErrType)
	}
	if b[0] != typeVersion[t] {
		return nil, fmt.Errorf("type %d in version %d, defined in %d: %w", t, b[0], typeVersion[t], ErrVersion)
	}
	switch t {
	case TypeText:
		return unmarshalText(body)
	case TypeCursor:
		return unmarshalCursor(body)
	case TypePatch:
		return unmarshalPatch(body)
	case TypeVideo:
		return unmarshalVideo(body)
	}
	if want := bodySize[t]; len(body) != want {
		err := ErrShort
		if len(body) > want {
			err = ErrLong
		}
		return nil, fmt.Errorf("type %d: body of %d bytes, want %d: %w", t, len(body), want, err)
	}
	switch t {
	case TypeKey:
		if body[0] > 1 {
			return nil, fmt.Errorf("key: down %d: %w", body[0], ErrValue)
		}
		return Key{Down: body[0] == 1, Keysym: binary.BigEndian.Uint32(body[1:5]), Keycode: binary.BigEndian.Uint16(body[5:7])}, nil
	case TypeButton:
		if body[0] > 1 || body[1] == 0 {
			return nil, fmt.Errorf("button %d: down %d: %w", body[1], body[0], ErrValue)
		}
		return Button{Down: body[0] == 1, Button: body[1]}, nil
	case TypeWheel:
		return Wheel{DX: int16(binary.BigEndian.Uint16(body[0:2])), DY: int16(binary.BigEndian.Uint16(body[2:4]))}, nil
	case TypeMotion:
		return Motion{Seq: binary.BigEndian.Uint32(body[0:4]), X: binary.BigEndian.Uint16(body[4:6]), Y: binary.BigEndian.Uint16(body[6:8])}, nil
	case TypeCursorPos:
		if body[8] > 1 {
			return nil, fmt.Errorf("cursor position: visible %d: %w", body[8], ErrValue)
		}
		return CursorPos{Seq: binary.BigEndian.Uint32(body[0:4]), X: int16(binary.BigEndian.Uint16(body[4:6])),
			Y: int16(binary.BigEndian.Uint16(body[6:8])), Visible: body[8] == 1}, nil
	case TypeMoveBy:
		return MoveBy{DX: int16(binary.BigEndian.Uint16(body[0:2])), DY: int16(binary.BigEndian.Uint16(body[2:4]))}, nil
	case TypeClock:
		return Clock{RTPBase: binary.BigEndian.Uint32(body[0:4]), UnixNano: int64(binary.BigEndian.Uint64(body[4:12]))}, nil
	case TypeJump:
		if d := int8(body[0]); d != 1 && d != -1 {
			return nil, fmt.Errorf("jump: direction %d: %w", d, ErrValue)
		}
		return Jump{Dir: int8(body[0])}, nil
	case TypeRefresh:
		return Refresh{}, nil
	default: // TypeReleaseAll
		return ReleaseAll{}, nil
	}
}

func unmarshalText(body []byte) (Message, error) {
	if len(body) < 1 {
		return nil, fmt.Errorf("text: no length: %w", ErrShort)
	}
	n := int(body[0])
	switch {
	case n == 0 || n > MaxText:
		return nil, fmt.Errorf("text: length %d, want 1 to %d: %w", n, MaxText, ErrValue)
	case len(body)-1 < n:
		return nil, fmt.Errorf("text: %d of %d bytes: %w", len(body)-1, n, ErrShort)
	case len(body)-1 > n:
		return nil, fmt.Errorf("text: %d bytes after %d: %w", len(body)-1-n, n, ErrLong)
	case !utf8.Valid(body[1:]):
		return nil, fmt.Errorf("text: not UTF-8: %w", ErrValue)
	}
	return Text{Text: string(body[1:])}, nil
}

package synergy

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Protocol version this package speaks.
const (
	Major = 1
	Minor = 6
)

// MaxFrame bounds a frame's payload; a larger one is refused. (Barrier bounds
// its own at 4 MiB; clipboard data comes in chunks well below that.)
const MaxFrame = 4 << 20

// Errors that decoding wraps.
var (
	ErrShort   = errors.New("message too short")
	ErrLong    = errors.New("message too long")
	ErrUnknown = errors.New("unknown message code")
)

// Message is one protocol message: its code and its fields, in order. Integer
// fields are int64 (read signed as the protocol's senders write them), strings
// are string, lists are []uint32.
type Message struct {
	Code   string
	Fields []any
}

// formats gives each code's fields, as Barrier's protocol_types lists them.
var formats = map[string]string{
	"CNOP": "", "CBYE": "", "COUT": "", "CROP": "", "CIAK": "", "CALV": "", "QINF": "",
	"EBSY": "", "EUNK": "", "EBAD": "",
	"CINN": "2242", // x, y, sequence number, modifier mask
	"CCLP": "14",   // clipboard id, sequence number
	"CSEC": "1",    // screen saver on
	"DKDN": "222",  // key id, modifier mask, key button
	"DKRP": "2222", // key id, modifier mask, repeat count, key button
	"DKUP": "222",
	"DMDN": "1", // button id
	"DMUP": "1",
	"DMMV": "22",      // x, y
	"DMRM": "22",      // dx, dy
	"DMWM": "22",      // x delta, y delta (120 a notch)
	"DCLP": "141s",    // clipboard id, sequence number, mark, data
	"DINF": "2222222", // x, y, width, height, warp size, pointer x, y
	"DSOP": "I",       // option, value, option, value, …
	"EICV": "22",      // the version the other side wanted
	"DFTR": "1s",      // file transfer (refused)
	"DDRG": "2s",      // drag info (refused)
}

// Hello codes: the server's greeting and the client's answer, with protocol
// name, major and minor version, and (the answer) the client's screen name.
const (
	helloBarrier = "Barrier"
	helloSynergy = "Synergy"
)

// New makes a message.
func New(code string, fields ...any) Message { return Message{Code: code, Fields: fields} }

// Int returns field i as an int (0 if it is not an integer).
func (m Message) Int(i int) int {
	if i < len(m.Fields) {
		if v, ok := m.Fields[i].(int64); ok {
			return int(v)
		}
	}
	return 0
}

// String returns field i as a string ("" if it is not one).
func (m Message) String(i int) string {
	if i < len(m.Fields) {
		if v, ok := m.Fields[i].(string); ok {
			return v
		}
	}
	return ""
}

// AppendMarshal appends the payload of m (no length prefix) to b.
func (m Message) AppendMarshal(b []byte) ([]byte, error) {
	format, ok := formats[m.Code]
	if !ok {
		return b, fmt.Errorf("synergy: %q: %w", m.Code, ErrUnknown)
	}
	if len(m.Fields) != len(format) {
		return b, fmt.Errorf("synergy: %s takes %d fields, got %d", m.Code, len(format), len(m.Fields))
	}
	b = append(b, m.Code...)
	return appendFields(b, format, m.Fields, m.Code)
}

func appendFields(b []byte, format string, fields []any, code string) ([]byte, error) {
	for i, f := range format {
		switch f {
		case '1', '2', '4':
			v, ok := toInt(fields[i])
			if !ok {
				return b, fmt.Errorf("synergy: %s field %d: want an integer, got %T", code, i, fields[i])
			}
			switch f {
			case '1':
				b = append(b, byte(v))
			case '2':
				b = binary.BigEndian.AppendUint16(b, uint16(v))
			default:
				b = binary.BigEndian.AppendUint32(b, uint32(v))
			}
		case 's':
			s, ok := fields[i].(string)
			if !ok {
				return b, fmt.Errorf("synergy: %s field %d: want a string, got %T", code, i, fields[i])
			}
			b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
			b = append(b, s...)
		case 'I':
			l, ok := fields[i].([]uint32)
			if !ok {
				return b, fmt.Errorf("synergy: %s field %d: want []uint32, got %T", code, i, fields[i])
			}
			b = binary.BigEndian.AppendUint32(b, uint32(len(l)))
			for _, v := range l {
				b = binary.BigEndian.AppendUint32(b, v)
			}
		}
	}
	return b, nil
}

func toInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int:
		return int64(v), true
	case int64:
		return v, true
	case int16:
		return int64(v), true
	case uint16:
		return int64(v), true
	case uint32:
		return int64(v), true
	case uint8:
		return int64(v), true
	}
	return 0, false
}

// Unmarshal decodes one payload (not the hello: see ParseHello).
func Unmarshal(p []byte) (Message, error) {
	if len(p) < 4 {
		return Message{}, fmt.Errorf("synergy: %d bytes: %w", len(p), ErrShort)
	}
	code := string(p[:4])
	format, ok := formats[code]
	if !ok {
		return Message{}, fmt.Errorf("synergy: %q: %w", code, ErrUnknown)
	}
	fields, rest, err := readFields(p[4:], format, code)
	if err != nil {
		return Message{}, err
	}
	if len(rest) != 0 {
		return Message{}, fmt.Errorf("synergy: %s: %d bytes too many: %w", code, len(rest), ErrLong)
	}
	if len(fields) == 0 {
		fields = nil // as New makes it
	}
	return Message{Code: code, Fields: fields}, nil
}

func readFields(p []byte, format, code string) ([]any, []byte, error) {
	fields := make([]any, 0, len(format))
	short := func(i int) error { return fmt.Errorf("synergy: %s field %d: %w", code, i, ErrShort) }
	for i, f := range format {
		switch f {
		case '1':
			if len(p) < 1 {
				return nil, nil, short(i)
			}
			fields = append(fields, int64(int8(p[0])))
			p = p[1:]
		case '2':
			if len(p) < 2 {
				return nil, nil, short(i)
			}
			fields = append(fields, int64(int16(binary.BigEndian.Uint16(p))))
			p = p[2:]
		case '4':
			if len(p) < 4 {
				return nil, nil, short(i)
			}
			fields = append(fields, int64(int32(binary.BigEndian.Uint32(p))))
			p = p[4:]
		case 's':
			if len(p) < 4 {
				return nil, nil, short(i)
			}
			n := binary.BigEndian.Uint32(p)
			if uint64(n) > uint64(len(p)-4) {
				return nil, nil, short(i)
			}
			fields = append(fields, string(p[4:4+n]))
			p = p[4+n:]
		case 'I':
			if len(p) < 4 {
				return nil, nil, short(i)
			}
			n := binary.BigEndian.Uint32(p)
			if uint64(n)*4 > uint64(len(p)-4) {
				return nil, nil, short(i)
			}
			l := make([]uint32, n)
			for k := range l {
				l[k] = binary.BigEndian.Uint32(p[4+4*k:])
			}
			fields = append(fields, l)
			p = p[4+4*n:]
		}
	}
	return fields, p, nil
}

// Hello is the greeting (from the server) or its answer (from the client, with
// Name set).
type Hello struct {
	Protocol     string // "Barrier" or "Synergy"
	Major, Minor int
	Name         string // the client's screen name; empty in the server's greeting
}

// AppendMarshal appends the hello's payload.
func (h Hello) AppendMarshal(b []byte, answer bool) []byte {
	b = append(b, h.Protocol...)
	b = binary.BigEndian.AppendUint16(b, uint16(h.Major))
	b = binary.BigEndian.AppendUint16(b, uint16(h.Minor))
	if answer {
		b = binary.BigEndian.AppendUint32(b, uint32(len(h.Name)))
		b = append(b, h.Name...)
	}
	return b
}

// ParseHello reads a greeting, or an answer when answer is set.
func ParseHello(p []byte, answer bool) (Hello, error) {
	if len(p) < 11 {
		return Hello{}, fmt.Errorf("synergy: hello of %d bytes: %w", len(p), ErrShort)
	}
	h := Hello{Protocol: string(p[:7]), Major: int(binary.BigEndian.Uint16(p[7:])), Minor: int(binary.BigEndian.Uint16(p[9:]))}
	if h.Protocol != helloBarrier && h.Protocol != helloSynergy {
		return Hello{}, fmt.Errorf("synergy: hello from %q, neither Barrier nor Synergy: %w", h.Protocol, ErrUnknown)
	}
	rest := p[11:]
	if !answer {
		if len(rest) != 0 {
			return Hello{}, fmt.Errorf("synergy: hello: %d bytes too many: %w", len(rest), ErrLong)
		}
		return h, nil
	}
	fields, rest, err := readFields(rest, "s", "hello")
	if err != nil {
		return Hello{}, err
	}
	if len(rest) != 0 {
		return Hello{}, fmt.Errorf("synergy: hello: %d bytes too many: %w", len(rest), ErrLong)
	}
	h.Name = fields[0].(string)
	return h, nil
}

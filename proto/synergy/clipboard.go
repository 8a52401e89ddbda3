package synergy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Clipboard IDs: CLIPBOARD (copy and paste) and PRIMARY (select and middle
// click).
const (
	ClipboardID = 0
	PrimaryID   = 1
)

// Clipboard data travels in DCLP messages as the clipboard's contents in
// Barrier's marshalled form, in chunks:
//
//	DCLP id seq 1 "SIZE"   start: the size of what follows, in decimal
//	DCLP id seq 2 BYTES    a chunk, ClipboardChunk bytes at most
//	DCLP id seq 3 ""       end
//
// The contents: a count of formats, then each format's ID, size and bytes
// (4-byte big-endian numbers). Format 0 is UTF-8 text with \n line ends.
const (
	markStart = 1
	markChunk = 2
	markEnd   = 3

	ClipboardChunk = 32 << 10 // as Barrier sends them
	MaxClipboard   = 16 << 20 // larger clipboards are refused
	formatText     = 0
)

// ErrClipboard wraps every malformed clipboard.
var ErrClipboard = errors.New("bad clipboard data")

// ClipboardMessages returns the DCLP messages that carry text as clipboard id.
func ClipboardMessages(id, seq int, text string) []Message {
	data := binary.BigEndian.AppendUint32(nil, 1)
	data = binary.BigEndian.AppendUint32(data, formatText)
	data = binary.BigEndian.AppendUint32(data, uint32(len(text)))
	data = append(data, text...)
	msgs := []Message{New("DCLP", id, seq, markStart, strconv.Itoa(len(data)))}
	for len(data) > 0 {
		n := min(len(data), ClipboardChunk)
		msgs = append(msgs, New("DCLP", id, seq, markChunk, string(data[:n])))
		data = data[n:]
	}
	return append(msgs, New("DCLP", id, seq, markEnd, ""))
}

// ClipboardAssembler puts DCLP chunks back together, one clipboard per ID.
type ClipboardAssembler struct {
	parts [2]struct {
		want int // -1: no start seen
		data []byte
	}
}

// Add takes one DCLP message. When it ends a clipboard, Add returns the
// clipboard's text and done; a malformed sequence is an error wrapping
// ErrClipboard (and that clipboard starts over).
func (a *ClipboardAssembler) Add(m Message) (id int, text string, done bool, err error) {
	id = m.Int(0)
	if id != ClipboardID && id != PrimaryID {
		return id, "", false, fmt.Errorf("%w: clipboard id %d", ErrClipboard, id)
	}
	p := &a.parts[id]
	if p.data == nil && p.want == 0 {
		p.want = -1
	}
	switch m.Int(2) {
	case markStart:
		n, err := strconv.Atoi(m.String(3))
		if err != nil || n < 0 || n > MaxClipboard {
			p.want, p.data = -1, nil
			return id, "", false, fmt.Errorf("%w: size %q (at most %d)", ErrClipboard, m.String(3), MaxClipboard)
		}
		p.want, p.data = n, make([]byte, 0, min(n, 1<<20)) // a peer's word is not memory
	case markChunk:
		if p.want < 0 || len(p.data)+len(m.String(3)) > p.want {
			p.want, p.data = -1, nil
			return id, "", false, fmt.Errorf("%w: a chunk beyond the announced size", ErrClipboard)
		}
		p.data = append(p.data, m.String(3)...)
	case markEnd:
		data, want := p.data, p.want
		p.want, p.data = -1, nil
		if want < 0 || len(data) != want {
			return id, "", false, fmt.Errorf("%w: %d bytes of %d", ErrClipboard, len(data), want)
		}
		text, err := clipboardText(data)
		return id, text, err == nil, err
	default:
		return id, "", false, fmt.Errorf("%w: mark %d", ErrClipboard, m.Int(2))
	}
	return id, "", false, nil
}

// clipboardText finds the text format in marshalled clipboard contents ("" if
// it has none: an image, say).
func clipboardText(b []byte) (string, error) {
	if len(b) < 4 {
		return "", fmt.Errorf("%w: %d bytes", ErrClipboard, len(b))
	}
	n := binary.BigEndian.Uint32(b)
	b = b[4:]
	for i := uint32(0); i < n; i++ {
		if len(b) < 8 {
			return "", fmt.Errorf("%w: format %d cut short", ErrClipboard, i)
		}
		format, size := binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
		b = b[8:]
		if uint64(size) > uint64(len(b)) {
			return "", fmt.Errorf("%w: format %d says %d bytes, %d left", ErrClipboard, i, size, len(b))
		}
		if format == formatText {
			return strings.ToValidUTF8(string(b[:size]), "\uFFFD"), nil
		}
		b = b[size:]
	}
	return "", nil
}

package synergy

import (
	"encoding/binary"
	"fmt"
	"io"
)

// ReadFrame reads one frame and returns its payload, in buf when it fits. A
// frame longer than MaxFrame is refused before any of it is read.
func ReadFrame(r io.Reader, buf []byte) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > MaxFrame {
		return nil, fmt.Errorf("synergy: frame of %d bytes, more than %d: %w", n, MaxFrame, ErrLong)
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("synergy: frame of %d bytes cut short: %w", n, err)
	}
	return buf, nil
}

// AppendFrame appends payload with its length prefix to b.
func AppendFrame(b, payload []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(payload)))
	return append(b, payload...)
}

// WriteMessage writes m as one frame.
func WriteMessage(w io.Writer, m Message) error {
	p, err := m.AppendMarshal(make([]byte, 4, 32))
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint32(p, uint32(len(p)-4))
	_, err = w.Write(p)
	return err
}

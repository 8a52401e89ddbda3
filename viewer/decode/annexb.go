package decode

import "bytes"

// expectsPicture reports whether the Annex-B stream b holds a NAL unit other
// than those that carry no picture data (SEI, SPS, PPS, access unit
// delimiter, end of sequence or stream, filler): a decoder given b should
// output a picture.
func expectsPicture(b []byte) bool {
	start := []byte{0, 0, 1}
	for {
		i := bytes.Index(b, start)
		if i < 0 || i+3 >= len(b) {
			return false
		}
		if t := b[i+3] & 0x1f; t < 6 || t > 12 {
			return true
		}
		b = b[i+3:]
	}
}

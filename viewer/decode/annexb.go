package decode

import "bytes"

// hasSlice reports whether the Annex-B stream b holds a coded slice (NAL unit
// types 1 to 5), that is, data for a picture.
func hasSlice(b []byte) bool {
	start := []byte{0, 0, 1}
	for {
		i := bytes.Index(b, start)
		if i < 0 || i+3 >= len(b) {
			return false
		}
		if t := b[i+3] & 0x1f; t >= 1 && t <= 5 {
			return true
		}
		b = b[i+3:]
	}
}

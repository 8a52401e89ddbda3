package decode

import "unsafe"

// unsafeSlice views n bytes of C memory at p as a slice with no spare capacity.
func unsafeSlice(p *byte, n int) []byte {
	s := unsafe.Slice(p, n)
	return s[:n:n]
}

package inject

import (
	"testing"

	"dream/internal/keysym"
)

func TestSame(t *testing.T) {
	for _, tc := range []struct {
		a, b uint32
		want bool
	}{
		{0x20ac, 0x10020ac, true},         // EuroSign, U+20AC
		{0x6d6, 0x1000436, true},          // Cyrillic_zhe, U+0436
		{0xe9, 0x10000e9, true},           // eacute, U+00E9
		{0xe9, 0xc9, false},               // eacute, Eacute
		{keysym.Return, 0x100000d, false}, // Return is a function key, not U+000D
	} {
		if got := same(tc.a, tc.b); got != tc.want {
			t.Errorf("same(%#x, %#x) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

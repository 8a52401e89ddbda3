package keysym

import "testing"

func TestFromRune(t *testing.T) {
	for _, tc := range []struct {
		r  rune
		ks uint32
		ok bool
	}{
		{'a', 'a', true}, {'é', 0xe9, true}, {'€', 0x10020ac, true}, {'ж', 0x1000436, true},
		{'\n', Return, true}, {'\r', Return, true}, {'\t', Tab, true},
		{0x01, 0, false}, {0x7f, 0, false}, {0x85, 0, false},
	} {
		if ks, ok := FromRune(tc.r); ks != tc.ks || ok != tc.ok {
			t.Errorf("FromRune(%U) = %#x, %v; want %#x, %v", tc.r, ks, ok, tc.ks, tc.ok)
		}
	}
}

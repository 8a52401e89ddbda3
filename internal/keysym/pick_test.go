package keysym

import "testing"

func TestPick(t *testing.T) {
	const (
		a, A       = 0x61, 0x41
		one, bang  = 0x31, 0x21
		ampersand  = 0x26
		eacute     = 0xe9
		Eacute     = 0xc9
		euro       = 0x20ac
		at         = 0x40
		ae, AE     = 0xe6, 0xc6
		Return     = 0xff0d
		shiftL     = 0xffe1
		cyrillicEl = 0x0100043b
		cyrillicEL = 0x0100041b
	)
	tests := []struct {
		name                string
		row                 []uint32
		shift, level3, caps bool
		want                uint32
	}{
		{"us a", []uint32{a, A}, false, false, false, a},
		{"us shift a", []uint32{a, A}, true, false, false, A},
		{"caps a", []uint32{a, A}, false, false, true, A},
		{"caps shift a", []uint32{a, A}, true, false, true, a},
		{"caps leaves digits", []uint32{one, bang}, false, false, true, one},
		{"single letter gets its capital", []uint32{a}, true, false, false, A},
		{"azerty 1 is shifted", []uint32{ampersand, one}, true, false, false, one},
		{"azerty é", []uint32{eacute, 0x32}, false, false, false, eacute},
		{"caps é", []uint32{eacute}, false, false, true, Eacute},
		{"altgr e is euro", []uint32{0x65, 0x45, 0x65, 0x45, euro, 0}, false, true, false, euro},
		{"altgr q is @ (de)", []uint32{0x71, 0x51, 0x71, 0x51, at, 0}, false, true, false, at},
		{"altgr shift a is Æ", []uint32{a, A, a, A, ae, AE}, true, true, false, AE},
		{"altgr on a key without level 3", []uint32{a, A}, false, true, false, a},
		{"mode_switch group 2", []uint32{a, A, ae, AE}, false, true, false, ae},
		{"return", []uint32{Return, 0, Return}, true, false, false, Return},
		{"shift key", []uint32{shiftL}, false, false, false, shiftL},
		{"unicode keysym case", []uint32{cyrillicEl}, true, false, false, cyrillicEL},
		{"empty row", nil, false, false, false, 0},
	}
	for _, tt := range tests {
		if got := Pick(tt.row, tt.shift, tt.level3, tt.caps); got != tt.want {
			t.Errorf("%s: Pick(%#x, shift %v, level3 %v, caps %v) = %#x; want %#x", tt.name, tt.row, tt.shift, tt.level3, tt.caps, got, tt.want)
		}
	}
}

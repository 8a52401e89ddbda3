package synergy

import "testing"

func TestKeysym(t *testing.T) {
	for _, tt := range []struct {
		id   uint16
		want uint32
	}{
		{'a', 'a'}, {'A', 'A'}, {0xe9, 0xe9}, // é
		{0x20ac, 0x010020ac}, // €
		{0xef0d, 0xff0d},     // Return
		{0xefe1, 0xffe1},     // Shift_L
		{0xee03, 0xfe03},     // ISO_Level3_Shift
		{0x0301, 0xfe51},     // dead acute
		{0x0308, 0xfe57},     // dead diaeresis
		{0, 0}, {0x08, 0}, {0x7f, 0},
	} {
		if got := Keysym(tt.id); got != tt.want {
			t.Errorf("Keysym(%#x) = %#x; want %#x", tt.id, got, tt.want)
		}
	}
}

func TestKeyID(t *testing.T) {
	for _, tt := range []struct {
		sym  uint32
		want uint16
	}{
		{'a', 'a'}, {'A', 'A'}, {0xe9, 0xe9}, // é
		{0x20ac, 0x20ac},     // EuroSign (legacy keysym)
		{0x010020ac, 0x20ac}, // U+20AC keysym
		{0x6d6, 0x0436},      // Cyrillic_zhe
		{0xff0d, 0xef0d},     // Return
		{0xffe1, 0xefe1},     // Shift_L
		{0xfe03, 0xee03},     // ISO_Level3_Shift
		{0xfe51, 0x0301},     // dead acute
		{0x1008ff13, 0},      // XF86AudioRaiseVolume: no ID
		{0, 0},
	} {
		got := KeyID(tt.sym)
		if got != tt.want {
			t.Errorf("KeyID(%#x) = %#x; want %#x", tt.sym, got, tt.want)
		}
		// Latin-1 and function keys come back as they went; legacy keysyms
		// come back as the Unicode keysym of their character.
		if direct := tt.sym <= 0xff || tt.sym >= 0xf000 && tt.sym <= 0xffff; got != 0 && direct && Keysym(got) != tt.sym {
			t.Errorf("Keysym(KeyID(%#x)) = %#x; want it back", tt.sym, Keysym(got))
		}
	}
}

func TestMaskFromX(t *testing.T) {
	// Shift, Control, Mod1 (Alt) and Mod2 (Num Lock).
	if got, want := MaskFromX(1|4|8|16), MaskShift|MaskControl|MaskAlt|MaskNumLock; got != want {
		t.Errorf("MaskFromX(0x1d) = %#x; want %#x", got, want)
	}
}

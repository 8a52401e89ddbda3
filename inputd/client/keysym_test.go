package client

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

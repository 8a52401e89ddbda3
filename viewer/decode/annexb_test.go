package decode

import "testing"

func TestExpectsPicture(t *testing.T) {
	tests := []struct {
		in   []byte
		want bool
	}{
		{nil, false},
		{[]byte{0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68, 0xce}, false}, // SPS, PPS
		{[]byte{0, 0, 0, 1, 0x06, 0x05, 0, 0, 1, 0x09, 0xf0}, false}, // SEI, AUD
		{[]byte{0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x65, 0x88}, true},  // SPS, IDR slice
		{[]byte{0, 0, 1, 0x41, 0x9a}, true},                          // P slice
		{[]byte{0, 0, 1, 0x2e, 0x30}, true},                          // SVC prefix
		{[]byte{0, 0, 1}, false},
	}
	for _, tt := range tests {
		if got := expectsPicture(tt.in); got != tt.want {
			t.Errorf("expectsPicture(% x) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

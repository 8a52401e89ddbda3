package proto

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGolden(t *testing.T) {
	tests := []struct {
		m   Message
		hex string
	}{
		{Key{Down: true, Keysym: 0x61, Keycode: 38}, "0101" + "01" + "00000061" + "0026"},
		{Key{Keysym: 0x20ac}, "0101" + "00" + "000020ac" + "0000"},
		{Button{Down: true, Button: 3}, "0102" + "01" + "03"},
		{Wheel{DX: -120, DY: 240}, "0103" + "ff88" + "00f0"},
		{Motion{Seq: 7, X: 1919, Y: 1079}, "0104" + "00000007" + "077f" + "0437"},
		{Text{Text: "é€"}, "0105" + "05" + "c3a9e282ac"},
		{ReleaseAll{}, "0106"},
	}
	for _, tt := range tests {
		got := hex.EncodeToString(tt.m.AppendMarshal(nil))
		if got != tt.hex {
			t.Errorf("%#v.AppendMarshal = %s; want %s", tt.m, got, tt.hex)
		}
		b, _ := hex.DecodeString(tt.hex)
		m, err := Unmarshal(b)
		if err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.hex, err)
			continue
		}
		if diff := cmp.Diff(tt.m, m); diff != "" {
			t.Errorf("Unmarshal(%s) (-want +got):\n%s", tt.hex, diff)
		}
	}
}

func TestUnmarshalErrors(t *testing.T) {
	tests := []struct {
		hex  string
		want error
	}{
		{"", ErrShort},
		{"01", ErrShort},
		{"0201", ErrVersion},
		{"0100", ErrType},
		{"0107", ErrType},
		{"01ff", ErrType},
		{"010101000000", ErrShort},
		{"01010100000061002600", ErrLong},
		{"0101020000006100", ErrShort},
		{"01010200000061" + "0026", ErrValue},
		{"01020100", ErrValue},
		{"01020201", ErrValue},
		{"0103ff", ErrShort},
		{"010600", ErrLong},
		{"0105", ErrShort},
		{"010500", ErrValue},
		{"01050361", ErrShort},
		{"0105016161", ErrLong},
		{"010502c328", ErrValue},
		{"0105" + "ff" + strings.Repeat("61", 255), ErrLong},
	}
	for _, tt := range tests {
		b, _ := hex.DecodeString(tt.hex)
		if _, err := Unmarshal(b); !errors.Is(err, tt.want) {
			t.Errorf("Unmarshal(%s) error = %v; want %v", tt.hex, err, tt.want)
		}
	}
}

func TestTextCutOnRuneBoundary(t *testing.T) {
	long := strings.Repeat("€", 100) // 300 bytes
	b := Text{Text: long}.AppendMarshal(nil)
	m, err := Unmarshal(b)
	if err != nil {
		t.Fatalf("Unmarshal(long text): %v", err)
	}
	got := m.(Text).Text
	if len(got) > MaxText || !strings.HasPrefix(long, got) || len(got)%3 != 0 {
		t.Errorf("long text came back as %d bytes; want a prefix of whole runes, at most %d", len(got), MaxText)
	}
}

// FuzzUnmarshal: no input panics, and whatever decodes marshals back to the
// same bytes.
func FuzzUnmarshal(f *testing.F) {
	for _, m := range []Message{Key{Down: true, Keysym: 0xff0d, Keycode: 36}, Button{Button: 1}, Wheel{DY: 120},
		Motion{Seq: 1, X: 5, Y: 6}, Text{Text: "ß"}, ReleaseAll{}} {
		f.Add(m.AppendMarshal(nil))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Unmarshal(b)
		if err != nil {
			return
		}
		if got := m.AppendMarshal(nil); string(got) != string(b) {
			t.Fatalf("Unmarshal(%x) = %#v, which marshals to %x", b, m, got)
		}
	})
}

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
		{CursorPos{Seq: 3, X: -4, Y: 300, Visible: true}, "0107" + "00000003" + "fffc" + "012c" + "01"},
		{MoveBy{DX: -3, DY: 500}, "0109" + "fffd" + "01f4"},
		{Jump{Dir: 1}, "010a" + "01"},
		{Jump{Dir: -1}, "010a" + "ff"},
		{Clock{RTPBase: 0x01020304, UnixNano: 1 << 60}, "010b" + "01020304" + "1000000000000000"},
		{Patch{Update: 9, Last: true, Stamp: 0x01020304, Rect: Rect{X: 1, Y: 2, W: 3, H: 4}, Encoding: EncodingSolid, Data: []byte{0xff, 0x80, 0}},
			"020c" + "00000009" + "01" + "01020304" + "0001" + "0002" + "0003" + "0004" + "00" + "ff8000"},
		{Patch{Update: 1 << 31, Rect: Rect{X: 1900, Y: 1000, W: 16, H: 16}, Encoding: EncodingQOI, Data: []byte{0x28, 0xb5}},
			"020c" + "80000000" + "00" + "00000000" + "076c" + "03e8" + "0010" + "0010" + "02" + "28b5"},
		{Video{Update: 10, Last: true, RTP: 0xdeadbeef, Rects: []Rect{{0, 0, 64, 64}, {64, 128, 32, 8}}},
			"020d" + "0000000a" + "01" + "deadbeef" + "0002" + "0000000000400040" + "0040008000200008"},
		{Video{Update: 11, RTP: 5}, "020d" + "0000000b" + "00" + "00000005" + "0000"},
		{Refresh{}, "020e"},
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
		{"010c", ErrVersion}, // a version 2 type marked 1
		{"010b01020304", ErrShort},
		{"0109fffd", ErrShort},
		{"010a02", ErrValue},
		{"010a00", ErrValue},
		{"0107", ErrShort},
		{"0107000000010001000202", ErrValue},
		{"0108" + "00000001" + "0000" + "0001" + "0000" + "0000", ErrValue},
		{"0108" + "00000001" + "0002" + "0002" + "0002" + "0000", ErrValue},
		{"0108" + "00000001" + "0001" + "0001" + "0000" + "0000" + "00", ErrValue},
		{"0108" + "000000", ErrShort},
		{"01ff", ErrType},
		{"02ff", ErrType},
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
		{"0105" + "ff" + strings.Repeat("61", 255), ErrValue},
		{"0101" + strings.Repeat("00", MaxSize), ErrLong},
		// Version 2: the patch channel.
		{"030c", ErrVersion},
		{"0001", ErrVersion},
		{"0201" + "01" + "00000061" + "0026", ErrVersion}, // a version 1 type marked 2
		{"010e", ErrVersion},
		{"020f", ErrType},
		{"020e00", ErrLong},
		{"020c" + "00000001" + "01" + "00000000" + "0000000000010001" + "00", ErrShort},            // no data
		{"020c" + "00000001" + "03" + "00000000" + "0000000000010001" + "00" + "000000", ErrValue}, // unknown flag
		{"020c" + "00000001" + "00" + "00000000" + "0000000000000001" + "00" + "000000", ErrValue}, // empty
		{"020c" + "00000001" + "00" + "00000000" + "0000000000010001" + "05" + "00", ErrValue},     // unknown encoding
		{"020c" + "00000001" + "00" + "00000000" + "0000000001000101" + "01" + "00", ErrValue},     // 256x257 pixels
		{"020c" + "00000001" + "00" + "00000000" + "0000000001000101" + "00" + "010203", nil},      // but solid may be any size
		{"020c" + "00000001" + "00" + "00000000" + "0000000000010001" + "00" + "0102", ErrValue},   // a colour of 2 bytes
		{"020c" + "00000001" + "00" + "00000000" + "0000000000010001" + "02" + strings.Repeat("00", MaxPatch), ErrLong},
		{"020d" + "00000001" + "00" + "00000001", ErrShort},
		{"020d" + "00000001" + "00" + "00000001" + "0001", ErrShort},
		{"020d" + "00000001" + "00" + "00000001" + "0001" + "0000000000010001" + "00", ErrLong},
		{"020d" + "00000001" + "00" + "00000001" + "0001" + "0000000000000001", ErrValue},
		{"020d" + "00000001" + "02" + "00000001" + "0000", ErrValue},
		{"020d" + "00000001" + "00" + "00000001" + "0401", ErrValue}, // 1025 rectangles
	}
	for _, tt := range tests {
		b, _ := hex.DecodeString(tt.hex)
		if _, err := Unmarshal(b); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
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

func TestCursorRoundTrip(t *testing.T) {
	px := make([]byte, 16*24*4)
	for i := range px {
		px[i] = byte(i * 13)
	}
	c := Cursor{Serial: 9, Width: 16, Height: 24, HotX: 3, HotY: 20, Pixels: px}
	b := c.AppendMarshal(nil)
	if hex.EncodeToString(b[:14]) != "0108"+"00000009"+"0010"+"0018"+"0003"+"0014" {
		t.Errorf("cursor header = %x", b[:14])
	}
	if len(b) >= len(px) {
		t.Errorf("cursor of %d pixel bytes marshals to %d bytes; want it compressed", len(px), len(b))
	}
	m, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, m); diff != "" {
		t.Errorf("cursor round trip (-want +got):\n%s", diff)
	}
	// Out-of-range fields marshal as a harmless 1x1 transparent cursor.
	m, err = Unmarshal(Cursor{Serial: 1, Width: 500, Height: 2}.AppendMarshal(nil))
	if err != nil || m.(Cursor).Width != 1 || m.(Cursor).Pixels[3] != 0 {
		t.Errorf("bad cursor marshals to %+v, %v; want a 1x1 transparent one", m, err)
	}
}

// FuzzUnmarshal: no input panics, and whatever decodes marshals back to the
// same bytes (for a cursor, whose compression may differ: the same cursor).
func FuzzUnmarshal(f *testing.F) {
	for _, m := range []Message{Key{Down: true, Keysym: 0xff0d, Keycode: 36}, Button{Button: 1}, Wheel{DY: 120},
		Motion{Seq: 1, X: 5, Y: 6}, Text{Text: "ß"}, ReleaseAll{}, CursorPos{Seq: 1, X: -1, Visible: true},
		Cursor{Serial: 1, Width: 2, Height: 1, HotX: 1, Pixels: []byte{1, 2, 3, 4, 5, 6, 7, 8}},
		MoveBy{DX: 1, DY: -1}, Jump{Dir: -1}, Clock{RTPBase: 7, UnixNano: 99},
		Patch{Update: 3, Last: true, Rect: Rect{1, 2, 3, 4}, Encoding: EncodingPalette, Data: []byte{1, 2}},
		Video{Update: 4, RTP: 9, Rects: []Rect{{1, 2, 3, 4}}}, Refresh{}} {
		f.Add(m.AppendMarshal(nil))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Unmarshal(b)
		if err != nil {
			return
		}
		got := m.AppendMarshal(nil)
		if _, ok := m.(Cursor); ok {
			again, err := Unmarshal(got)
			if err != nil || !cmp.Equal(again, m) {
				t.Fatalf("cursor %+v does not survive a round trip: %+v, %v", m, again, err)
			}
			return
		}
		if string(got) != string(b) {
			t.Fatalf("Unmarshal(%x) = %#v, which marshals to %x", b, m, got)
		}
	})
}

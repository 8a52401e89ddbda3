package synergy

import (
	"bytes"
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
		{New("CNOP"), hex.EncodeToString([]byte("CNOP"))},
		{New("QINF"), "51494e46"},
		{New("CINN", int64(100), int64(-2), int64(7), int64(0x21)), "43494e4e" + "0064" + "fffe" + "00000007" + "0021"},
		{New("DKDN", int64(0x61), int64(0x1), int64(38)), "444b444e" + "0061" + "0001" + "0026"},
		{New("DKUP", int64(-4339), int64(0), int64(36)), "444b5550" + "ef0d" + "0000" + "0024"}, // 0xEF0D: Return
		{New("DKRP", int64(0x61), int64(0), int64(3), int64(38)), "444b5250" + "0061" + "0000" + "0003" + "0026"},
		{New("DMDN", int64(1)), "444d444e01"},
		{New("DMMV", int64(1919), int64(1079)), "444d4d56" + "077f" + "0437"},
		{New("DMRM", int64(-5), int64(3)), "444d524d" + "fffb" + "0003"},
		{New("DMWM", int64(0), int64(120)), "444d574d" + "0000" + "0078"},
		{New("DCLP", int64(0), int64(3), int64(2), "hé"), "44434c50" + "00" + "00000003" + "02" + "00000003" + "68c3a9"},
		{New("DINF", int64(0), int64(0), int64(1920), int64(1080), int64(0), int64(960), int64(540)),
			"44494e46" + "0000" + "0000" + "0780" + "0438" + "0000" + "03c0" + "021c"},
		{New("DSOP", []uint32{0x48425254, 3000}), "44534f50" + "00000002" + "48425254" + "00000bb8"},
		{New("EICV", int64(1), int64(6)), "45494356" + "0001" + "0006"},
	}
	for _, tt := range tests {
		b, err := tt.m.AppendMarshal(nil)
		if err != nil {
			t.Fatalf("%v.AppendMarshal: %v", tt.m, err)
		}
		if got := hex.EncodeToString(b); got != tt.hex {
			t.Errorf("%v = %s; want %s", tt.m, got, tt.hex)
		}
		m, err := Unmarshal(b)
		if err != nil {
			t.Fatalf("Unmarshal(%s): %v", tt.hex, err)
		}
		if diff := cmp.Diff(tt.m, m); diff != "" {
			t.Errorf("Unmarshal(%s) (-want +got):\n%s", tt.hex, diff)
		}
	}
}

func TestUnmarshalErrors(t *testing.T) {
	for _, tt := range []struct {
		hex  string
		want error
	}{
		{"", ErrShort},
		{"444b44", ErrShort},
		{"5a5a5a5a", ErrUnknown},
		{"444b444e0061", ErrShort},
		{"444b444e006100010026ff", ErrLong},
		{"44434c50" + "00" + "00000003" + "02" + "00000010" + "68", ErrShort},
		{"44534f50" + "40000000", ErrShort},
		{"434e4f5000", ErrLong},
	} {
		b, _ := hex.DecodeString(tt.hex)
		if _, err := Unmarshal(b); !errors.Is(err, tt.want) {
			t.Errorf("Unmarshal(%s) error = %v; want %v", tt.hex, err, tt.want)
		}
	}
}

func TestHello(t *testing.T) {
	greet := Hello{Protocol: "Barrier", Major: 1, Minor: 6}.AppendMarshal(nil, false)
	if hex.EncodeToString(greet) != hex.EncodeToString([]byte("Barrier"))+"0001"+"0006" {
		t.Errorf("greeting = %x", greet)
	}
	answer := Hello{Protocol: "Barrier", Major: 1, Minor: 6, Name: "cli"}.AppendMarshal(nil, true)
	h, err := ParseHello(answer, true)
	if err != nil || h.Name != "cli" || h.Major != 1 || h.Minor != 6 {
		t.Errorf("ParseHello(answer) = %+v, %v", h, err)
	}
	if h, err := ParseHello([]byte("Synergy\x00\x01\x00\x03"), false); err != nil || h.Protocol != "Synergy" || h.Minor != 3 {
		t.Errorf("ParseHello(Synergy 1.3) = %+v, %v", h, err)
	}
	for _, bad := range []string{"Barrie", "Nonsens\x00\x01\x00\x06", "Barrier\x00\x01\x00\x06x"} {
		if _, err := ParseHello([]byte(bad), false); err == nil {
			t.Errorf("ParseHello(%q) succeeded", bad)
		}
	}
}

func TestFrames(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMessage(&buf, New("DMMV", int64(3), int64(4))); err != nil {
		t.Fatal(err)
	}
	buf.Write(AppendFrame(nil, []byte("CALV")))
	p, err := ReadFrame(&buf, nil)
	if err != nil || string(p[:4]) != "DMMV" || len(p) != 8 {
		t.Fatalf("first frame %q, %v", p, err)
	}
	if p, err := ReadFrame(&buf, p); err != nil || string(p) != "CALV" {
		t.Fatalf("second frame %q, %v", p, err)
	}
	huge := bytes.NewReader([]byte{0x7f, 0xff, 0xff, 0xff})
	if _, err := ReadFrame(huge, nil); !errors.Is(err, ErrLong) {
		t.Errorf("a 2 GiB frame: %v; want ErrLong", err)
	}
	cut := bytes.NewReader(append([]byte{0, 0, 0, 9}, "CAL"...))
	if _, err := ReadFrame(cut, nil); err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Errorf("a cut frame: %v; want an error saying so", err)
	}
}

// FuzzUnmarshal: no payload panics, and whatever decodes marshals back to the
// same bytes.
func FuzzUnmarshal(f *testing.F) {
	for code, format := range formats {
		fields := make([]any, len(format))
		for i, c := range format {
			switch c {
			case 's':
				fields[i] = "x"
			case 'I':
				fields[i] = []uint32{1}
			default:
				fields[i] = int64(1)
			}
		}
		b, _ := New(code, fields...).AppendMarshal(nil)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		m, err := Unmarshal(p)
		if err != nil {
			return
		}
		b, err := m.AppendMarshal(nil)
		if err != nil || !bytes.Equal(b, p) {
			t.Fatalf("Unmarshal(%x) = %v, which marshals to %x, %v", p, m, b, err)
		}
	})
}

package synergy

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func TestClipboardMessagesGolden(t *testing.T) {
	msgs := ClipboardMessages(PrimaryID, 7, "hé")
	want := []string{
		// DCLP, id 1, seq 7, start, "15"
		"44434c50" + "01" + "00000007" + "01" + "00000002" + "3135",
		// a chunk: 1 format, text (0), 3 bytes, "hé"
		"44434c50" + "01" + "00000007" + "02" + "0000000f" + "00000001" + "00000000" + "00000003" + "68c3a9",
		"44434c50" + "01" + "00000007" + "03" + "00000000",
	}
	if len(msgs) != len(want) {
		t.Fatalf("ClipboardMessages gave %d messages; want %d", len(msgs), len(want))
	}
	for i, m := range msgs {
		b, err := m.AppendMarshal(nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(b); got != want[i] {
			t.Errorf("message %d = %s; want %s", i, got, want[i])
		}
	}
}

// roundTrip marshals msgs and feeds them to a fresh assembler.
func roundTrip(t *testing.T, a *ClipboardAssembler, msgs []Message) (int, string, bool, error) {
	t.Helper()
	var (
		id   int
		text string
		done bool
		err  error
	)
	for _, m := range msgs {
		b, merr := m.AppendMarshal(nil)
		if merr != nil {
			t.Fatal(merr)
		}
		u, uerr := Unmarshal(b)
		if uerr != nil {
			t.Fatal(uerr)
		}
		if id, text, done, err = a.Add(u); err != nil {
			return id, text, done, err
		}
	}
	return id, text, done, err
}

func TestClipboardRoundTrip(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 10000) // 160 KB: several chunks
	for _, text := range []string{"", "hello", "line 1\nline 2 ✓", big} {
		var a ClipboardAssembler
		id, got, done, err := roundTrip(t, &a, ClipboardMessages(ClipboardID, 3, text))
		if err != nil || !done || id != ClipboardID || got != text {
			t.Errorf("round trip of %d bytes: id %d, %d bytes, done %v, %v", len(text), id, len(got), done, err)
		}
	}
}

func TestClipboardBad(t *testing.T) {
	good := ClipboardMessages(ClipboardID, 1, "hello")
	for _, tt := range []struct {
		name string
		msgs []Message
	}{
		{"chunk without start", good[1:]},
		{"end without chunks", []Message{good[0], good[2]}},
		{"bad id", []Message{New("DCLP", 5, 1, markStart, "3")}},
		{"bad size", []Message{New("DCLP", 0, 1, markStart, "many")}},
		{"too big", []Message{New("DCLP", 0, 1, markStart, "999999999")}},
		{"bad mark", []Message{New("DCLP", 0, 1, 9, "")}},
		{"overflow", []Message{New("DCLP", 0, 1, markStart, "2"), New("DCLP", 0, 1, markChunk, "abc")}},
		{"truncated contents", []Message{New("DCLP", 0, 1, markStart, "6"), New("DCLP", 0, 1, markChunk, "\x00\x00\x00\x01\x00\x00"), New("DCLP", 0, 1, markEnd, "")}},
	} {
		var a ClipboardAssembler
		if _, _, done, err := roundTrip(t, &a, tt.msgs); !errors.Is(err, ErrClipboard) || done {
			t.Errorf("%s: done %v, err %v; want ErrClipboard", tt.name, done, err)
		}
		// The assembler recovers: a good clipboard afterwards arrives.
		if _, got, done, err := roundTrip(t, &a, good); err != nil || !done || got != "hello" {
			t.Errorf("%s: then a good clipboard: %q, %v, %v", tt.name, got, done, err)
		}
	}
}

func FuzzClipboardAssembler(f *testing.F) {
	f.Add(byte(0), byte(1), "5", byte(2), "\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01x")
	f.Fuzz(func(t *testing.T, id, mark1 byte, s1 string, mark2 byte, s2 string) {
		var a ClipboardAssembler
		for _, m := range []Message{New("DCLP", int(id%3), 1, int(mark1%4), s1), New("DCLP", int(id%3), 1, int(mark2%4), s2), New("DCLP", int(id%3), 1, markEnd, "")} {
			a.Add(m) // must not panic or allocate beyond MaxClipboard
		}
	})
}

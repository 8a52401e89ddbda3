package cli

import (
	"errors"
	"flag"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		args       []string
		positional []string
		tail       []string
		tile       int
	}{
		{[]string{"http://h:1", "--tile", "2"}, []string{"http://h:1"}, nil, 2},
		{[]string{"--tile", "3", "http://h:1"}, []string{"http://h:1"}, nil, 3},
		{[]string{"--tile=2", "--", "xterm", "-e", "top"}, nil, []string{"xterm", "-e", "top"}, 2},
		{[]string{"a", "--tile", "2", "b", "--", "--tile"}, []string{"a", "b"}, []string{"--tile"}, 2},
		{nil, nil, nil, 1},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		tile := fs.Int("tile", 1, "")
		pos, tail, err := Parse(fs, tt.args)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.args, err)
		}
		if diff := cmp.Diff(tt.positional, pos); diff != "" {
			t.Errorf("Parse(%q) positional (-want +got):\n%s", tt.args, diff)
		}
		if diff := cmp.Diff(tt.tail, tail); diff != "" {
			t.Errorf("Parse(%q) tail (-want +got):\n%s", tt.args, diff)
		}
		if *tile != tt.tile {
			t.Errorf("Parse(%q) tile = %d; want %d", tt.args, *tile, tt.tile)
		}
	}
}

func TestParseBadFlag(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Int("tile", 1, "")
	if _, _, err := Parse(fs, []string{"url", "--tile", "two"}); !errors.Is(err, ErrUsage) {
		t.Errorf("Parse(--tile two) error = %v; want ErrUsage", err)
	}
}

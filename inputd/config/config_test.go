package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const example = `# A desk: the desktop in the middle, two laptops beside it.
section: screens
	desk:
		halfDuplexCapsLock = false
	left-laptop:
	right-laptop:
end

section: aliases
	desk:
		desk.local
end

section: links
	desk:
		left = left-laptop
		right(0,50) = right-laptop(50,100)   # only the top half
	left-laptop:
		right = desk.local
	right-laptop:
		left = desk
end

section: options
	heartbeat = 5000
	keystroke(Control+Alt+Right) = switchInDirection(right)
	keystroke(Super+1) = switchToScreen(left-laptop)
end
`

func TestParse(t *testing.T) {
	c, err := Parse(strings.NewReader(example))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Screens: []Screen{
			{Name: "desk", Aliases: []string{"desk.local"}, Options: map[string]string{"halfDuplexCapsLock": "false"}},
			{Name: "left-laptop", Options: map[string]string{}},
			{Name: "right-laptop", Options: map[string]string{}},
		},
		Links: map[string][]Link{
			"desk": {
				{Dir: Left, FromLo: 0, FromHi: 1, To: "left-laptop", ToLo: 0, ToHi: 1},
				{Dir: Right, FromLo: 0, FromHi: 0.5, To: "right-laptop", ToLo: 0.5, ToHi: 1},
			},
			"left-laptop":  {{Dir: Right, FromHi: 1, To: "desk", ToHi: 1}},
			"right-laptop": {{Dir: Left, FromHi: 1, To: "desk", ToHi: 1}},
		},
		Options: map[string]string{"heartbeat": "5000"},
		Hotkeys: []Hotkey{
			{Keys: "Control+Alt+Right", Action: "switchInDirection", Arg: "right"},
			{Keys: "Super+1", Action: "switchToScreen", Arg: "left-laptop"},
		},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

func TestNeighbour(t *testing.T) {
	c, err := Parse(strings.NewReader(example))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		screen string
		dir    Direction
		pos    float64
		to     string
		at     float64
		ok     bool
	}{
		{"desk", Left, 0.3, "left-laptop", 0.3, true},
		{"desk", Right, 0.25, "right-laptop", 0.75, true}, // top half of desk → bottom half of right-laptop
		{"desk", Right, 0.75, "", 0, false},               // the bottom half leads nowhere
		{"desk.local", Left, 1, "left-laptop", 1, true},
		{"left-laptop", Right, 0.5, "desk", 0.5, true},
		{"desk", Up, 0.5, "", 0, false},
	} {
		to, at, ok := c.Neighbour(tt.screen, tt.dir, tt.pos)
		if to != tt.to || ok != tt.ok || (ok && at != tt.at) {
			t.Errorf("Neighbour(%s, %s, %v) = %q, %v, %v; want %q, %v, %v", tt.screen, tt.dir, tt.pos, to, at, ok, tt.to, tt.at, tt.ok)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ conf, says string }{
		{"section: screens\n\ta:\n", "no end"},
		{"section: monitors\nend\n", "line 1: unknown section"},
		{"a = b\n", "line 1: \"a = b\" outside a section"},
		{"section: screens\n\ta:\n\ta:\nend\n", "line 3: screen \"a\" listed twice"},
		{"section: screens\n\ta:\nend\nsection: links\n\ta:\n\t\tsideways = a\nend\n", "line 6: direction \"sideways\""},
		{"section: screens\n\ta:\nend\nsection: links\n\ta:\n\t\tright = b\nend\n", "unknown screen \"b\""},
		{"section: screens\n\ta:\nend\nsection: links\n\ta:\n\t\tright(50,10) = a\nend\n", "line 6"},
		{"section: screens\n\ta:\nend\nsection: options\n\tkeystroke(x) = switchToScreen(zz)\nend\n", "unknown screen \"zz\""},
		{"section: screens\n\ta:\nend\nsection: options\n\tkeystroke(x = nothing\nend\n", "line 5"},
		{"end\n", "line 1: end outside a section"},
		{"section: screens\nsection: links\n", "line 2: section"},
	} {
		_, err := Parse(strings.NewReader(tt.conf))
		if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("Parse(%q) = %v; want an error saying %q", tt.conf, err, tt.says)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(example)
	f.Fuzz(func(t *testing.T, conf string) {
		c, err := Parse(strings.NewReader(conf))
		if err != nil {
			return
		}
		for name, links := range c.Links { // every link leads somewhere real
			for _, l := range links {
				if c.Canonical(name) == "" || c.Canonical(l.To) == "" || l.FromLo >= l.FromHi || l.ToLo >= l.ToHi {
					t.Fatalf("link %s %+v from a parsed config is not sound", name, l)
				}
			}
		}
	})
}

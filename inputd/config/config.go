package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrSyntax wraps every parse error; the message names the line.
var ErrSyntax = errors.New("config error")

// Direction is an edge of a screen.
type Direction string

// The four edges.
const (
	Left  Direction = "left"
	Right Direction = "right"
	Up    Direction = "up"
	Down  Direction = "down"
)

// Screen is one machine's screen.
type Screen struct {
	Name    string
	Aliases []string
	Options map[string]string
}

// Link says that part of one screen's edge leads to part of another screen.
// Ranges are fractions of the edge, 0 to 1 (the whole edge when not given).
type Link struct {
	Dir            Direction
	FromLo, FromHi float64
	To             string
	ToLo, ToHi     float64
}

// Hotkey is a keystroke(...) option: Keys as written ("Control+Alt+Right"),
// Action ("switchToScreen", "switchInDirection", …) and its argument.
type Hotkey struct {
	Keys, Action, Arg string
}

// Config is a parsed configuration.
type Config struct {
	Screens []Screen
	Links   map[string][]Link // by screen name
	Options map[string]string // the options section, hotkeys apart
	Hotkeys []Hotkey
}

// Parse reads a configuration.
func Parse(r io.Reader) (*Config, error) {
	c := &Config{Links: map[string][]Link{}, Options: map[string]string{}}
	p := parser{c: c, sc: bufio.NewScanner(r)}
	if err := p.parse(); err != nil {
		return nil, err
	}
	return c, c.check()
}

type parser struct {
	c       *Config
	sc      *bufio.Scanner
	line    int
	section string
	screen  string // the screen whose block we are in
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s: %w", p.line, fmt.Sprintf(format, args...), ErrSyntax)
}

func (p *parser) parse() error {
	for p.sc.Scan() {
		p.line++
		l := strings.TrimSpace(p.sc.Text())
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = strings.TrimSpace(l[:i])
		}
		if l == "" {
			continue
		}
		switch {
		case strings.HasPrefix(l, "section:"):
			if p.section != "" {
				return p.errorf("section %q inside section %q (missing end?)", l, p.section)
			}
			p.section, p.screen = strings.TrimSpace(strings.TrimPrefix(l, "section:")), ""
			switch p.section {
			case "screens", "aliases", "links", "options":
			default:
				return p.errorf("unknown section %q (want screens, aliases, links or options)", p.section)
			}
		case l == "end":
			if p.section == "" {
				return p.errorf("end outside a section")
			}
			p.section = ""
		case p.section == "":
			return p.errorf("%q outside a section", l)
		case strings.HasSuffix(l, ":") && p.section != "options":
			p.screen = strings.TrimSuffix(l, ":")
			if p.section == "screens" {
				if p.c.screen(p.screen) != nil {
					return p.errorf("screen %q listed twice", p.screen)
				}
				p.c.Screens = append(p.c.Screens, Screen{Name: p.screen, Options: map[string]string{}})
			}
		default:
			if err := p.entry(l); err != nil {
				return err
			}
		}
	}
	if err := p.sc.Err(); err != nil {
		return err
	}
	if p.section != "" {
		return fmt.Errorf("section %q has no end: %w", p.section, ErrSyntax)
	}
	return nil
}

// entry reads one line inside a section.
func (p *parser) entry(l string) error {
	if p.section == "aliases" {
		s := p.c.screen(p.screen)
		if s == nil {
			return p.errorf("alias %q for unknown screen %q", l, p.screen)
		}
		s.Aliases = append(s.Aliases, l)
		return nil
	}
	key, value, ok := strings.Cut(l, "=")
	if !ok {
		return p.errorf("%q: want NAME = VALUE", l)
	}
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	switch p.section {
	case "screens":
		s := p.c.screen(p.screen)
		if s == nil {
			return p.errorf("option %q before any screen", key)
		}
		s.Options[key] = value
	case "options":
		if strings.HasPrefix(key, "keystroke(") {
			keys, err := p.call(key, "keystroke")
			if err != nil {
				return err
			}
			action, _, _ := strings.Cut(value, "(")
			arg, err := p.call(value, strings.TrimSpace(action))
			if err != nil {
				return err
			}
			p.c.Hotkeys = append(p.c.Hotkeys, Hotkey{Keys: keys, Action: strings.TrimSpace(action), Arg: arg})
			return nil
		}
		p.c.Options[key] = value
	case "links":
		if p.screen == "" {
			return p.errorf("link %q before any screen", key)
		}
		link, err := p.link(key, value)
		if err != nil {
			return err
		}
		p.c.Links[p.screen] = append(p.c.Links[p.screen], link)
	}
	return nil
}

// call reads name(arg) and returns arg.
func (p *parser) call(s, name string) (string, error) {
	if !strings.HasPrefix(s, name+"(") || !strings.HasSuffix(s, ")") {
		return "", p.errorf("%q: want %s(...)", s, name)
	}
	return strings.TrimSpace(s[len(name)+1 : len(s)-1]), nil
}

// link reads "right" or "right(0,50)" = "name" or "name(50,100)".
func (p *parser) link(from, to string) (Link, error) {
	var l Link
	dir, lo, hi, err := p.ranged(from)
	if err != nil {
		return l, err
	}
	switch d := Direction(dir); d {
	case Left, Right, Up, Down:
		l.Dir = d
	default:
		return l, p.errorf("direction %q: want left, right, up or down", dir)
	}
	l.FromLo, l.FromHi = lo, hi
	if l.To, l.ToLo, l.ToHi, err = p.ranged(to); err != nil {
		return l, err
	}
	return l, nil
}

// ranged reads "name" or "name(lo,hi)" with lo and hi in percent.
func (p *parser) ranged(s string) (string, float64, float64, error) {
	name, rest, ok := strings.Cut(s, "(")
	if !ok {
		return strings.TrimSpace(s), 0, 1, nil
	}
	los, his, ok := strings.Cut(strings.TrimSuffix(rest, ")"), ",")
	lo, err1 := strconv.ParseFloat(strings.TrimSpace(los), 64)
	hi, err2 := strconv.ParseFloat(strings.TrimSpace(his), 64)
	if !ok || !strings.HasSuffix(rest, ")") || err1 != nil || err2 != nil || lo < 0 || hi > 100 || lo >= hi {
		return "", 0, 0, p.errorf("%q: want NAME(FROM,TO) with 0 ≤ FROM < TO ≤ 100", s)
	}
	return strings.TrimSpace(name), lo / 100, hi / 100, nil
}

func (c *Config) screen(name string) *Screen {
	for i := range c.Screens {
		if c.Screens[i].Name == name {
			return &c.Screens[i]
		}
	}
	return nil
}

// Canonical returns the screen a name or alias stands for ("" if none).
func (c *Config) Canonical(name string) string {
	for _, s := range c.Screens {
		if strings.EqualFold(s.Name, name) {
			return s.Name
		}
		for _, a := range s.Aliases {
			if strings.EqualFold(a, name) {
				return s.Name
			}
		}
	}
	return ""
}

// check makes sure links and hotkeys name screens that exist, and files links
// under the screens' own names (they may be written with aliases).
func (c *Config) check() error {
	byName := make(map[string][]Link, len(c.Links))
	for from, links := range c.Links {
		name := c.Canonical(from)
		if name == "" {
			return fmt.Errorf("links for unknown screen %q (list it in section: screens): %w", from, ErrSyntax)
		}
		for i, l := range links {
			if links[i].To = c.Canonical(l.To); links[i].To == "" {
				return fmt.Errorf("%s's %s edge leads to unknown screen %q: %w", from, l.Dir, l.To, ErrSyntax)
			}
		}
		byName[name] = append(byName[name], links...)
	}
	c.Links = byName
	for _, h := range c.Hotkeys {
		if h.Action == "switchToScreen" && c.Canonical(h.Arg) == "" {
			return fmt.Errorf("keystroke(%s) switches to unknown screen %q: %w", h.Keys, h.Arg, ErrSyntax)
		}
	}
	return nil
}

// Neighbour returns the screen beyond screen's edge dir at position pos (0 to 1
// along the edge), and where along that screen's edge the pointer enters.
func (c *Config) Neighbour(screen string, dir Direction, pos float64) (string, float64, bool) {
	for _, l := range c.Links[c.Canonical(screen)] {
		if l.Dir == dir && pos >= l.FromLo && pos < l.FromHi || l.Dir == dir && pos == 1 && l.FromHi == 1 {
			t := (pos - l.FromLo) / (l.FromHi - l.FromLo)
			return l.To, l.ToLo + t*(l.ToHi-l.ToLo), true
		}
	}
	return "", 0, false
}

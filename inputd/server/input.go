package server

import (
	"fmt"

	"dream/proto/synergy"
)

// Enter moves the keyboard and pointer to screen, at x, y in its coordinates:
// the screen that had them is told to leave (and releases what it holds).
func (s *Server) Enter(screen string, x, y int, mask int) error {
	s.mu.Lock()
	to := s.screens[s.cfg.Screens.Canonical(screen)]
	from := s.active
	if to == nil {
		s.mu.Unlock()
		return fmt.Errorf("enter %q: %w", screen, ErrNotConnected)
	}
	s.active = to
	s.seq++
	seq := s.seq
	s.mu.Unlock()
	if from != nil && from != to {
		from.send(synergy.New("COUT"))
	}
	return to.send(synergy.New("CINN", x, y, seq, mask))
}

// Leave takes the keyboard and pointer back from the screen that has them.
func (s *Server) Leave() {
	s.mu.Lock()
	from := s.active
	s.active = nil
	s.mu.Unlock()
	if from != nil {
		from.send(synergy.New("COUT"))
	}
}

// Active is the screen that has the keyboard and pointer ("" for none).
func (s *Server) Active() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active == nil {
		return ""
	}
	return s.active.name
}

// SendClipboard gives the active screen clipboard id's text.
func (s *Server) SendClipboard(id int, text string) error {
	s.mu.Lock()
	p, seq := s.active, s.seq
	s.mu.Unlock()
	if p == nil {
		return fmt.Errorf("clipboard: %w", ErrNotConnected)
	}
	for _, m := range synergy.ClipboardMessages(id, int(seq), text) {
		if err := p.send(m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) toActive(m synergy.Message) error {
	s.mu.Lock()
	p := s.active
	s.mu.Unlock()
	if p == nil {
		return fmt.Errorf("%s: %w", m.Code, ErrNotConnected)
	}
	return p.send(m)
}

// Move puts the active screen's pointer at x, y.
func (s *Server) Move(x, y int) error { return s.toActive(synergy.New("DMMV", x, y)) }

// MoveBy moves the active screen's pointer by dx, dy.
func (s *Server) MoveBy(dx, dy int) error { return s.toActive(synergy.New("DMRM", dx, dy)) }

// Button presses or releases a button (Synergy's IDs: 1 left, 2 middle, 3 right).
func (s *Server) Button(id int, down bool) error {
	code := "DMUP"
	if down {
		code = "DMDN"
	}
	return s.toActive(synergy.New(code, id))
}

// Wheel scrolls, 120 a notch; positive y scrolls up, positive x right.
func (s *Server) Wheel(dx, dy int) error { return s.toActive(synergy.New("DMWM", dx, dy)) }

// Key presses or releases a key: its Synergy key ID, the modifier mask, and the
// physical key (button) the release must match.
func (s *Server) Key(id, mask, button int, down bool) error {
	code := "DKUP"
	if down {
		code = "DKDN"
	}
	return s.toActive(synergy.New(code, id, mask, button))
}

// Repeat sends count auto-repeats of a held key.
func (s *Server) Repeat(id, mask, count, button int) error {
	return s.toActive(synergy.New("DKRP", id, mask, count, button))
}

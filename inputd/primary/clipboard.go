package primary

import (
	"dream/inputd/server"
)

// readSelections reads this machine's selections as other programs take them,
// for the loop, until done closes.
func (p *Primary) readSelections(done <-chan struct{}) {
	read := func(id int) {
		text, err := p.sel.Get(id)
		if err != nil {
			p.log.Debug("selection not read", "id", id, "err", err)
			return
		}
		select {
		case p.localClips <- server.Clipboard{Screen: p.name, ID: id, Text: text}:
		case <-done:
		}
	}
	read(0) // what was copied before we started
	read(1)
	for {
		select {
		case id := <-p.sel.Changed():
			read(id)
		case <-done:
			return
		}
	}
}

// clipboardFrom takes a clipboard from a screen (this one's included): it is
// the latest, and the screen with the keyboard gets it at once.
func (p *Primary) clipboardFrom(c server.Clipboard) {
	if c.Text == "" || c.ID < 0 || c.ID > 1 {
		return // nothing copied: keep what there was
	}
	p.clip[c.ID] = c.Text
	p.holding(c.Screen)[c.ID] = c.Text
	p.offerClipboards()
}

// offerClipboards gives the screen with the keyboard the clipboards it lacks.
func (p *Primary) offerClipboards() {
	to := p.current()
	has := p.holding(to)
	for id, text := range p.clip {
		if text == "" || has[id] == text {
			continue
		}
		var err error
		if to == p.name {
			err = p.sel.Set(id, text)
		} else {
			err = p.cfg.Server.SendClipboard(id, text)
		}
		if err != nil {
			p.log.Warn("clipboard not shared", "to", to, "id", id, "err", err)
			continue
		}
		has[id] = text
		p.log.Debug("clipboard shared", "to", to, "id", id, "bytes", len(text))
	}
}

// holding is what screen holds.
func (p *Primary) holding(screen string) *[2]string {
	h := p.holds[screen]
	if h == nil {
		h = new([2]string)
		p.holds[screen] = h
	}
	return h
}

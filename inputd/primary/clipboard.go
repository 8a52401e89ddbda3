package primary

import (
	"dream/inputd/server"
)

// maxShared bounds the clipboards passed on: what one X property carries.
const maxShared = 256 << 10

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
		case <-p.sel.Changed():
			for id, taken := range p.sel.Taken() {
				if taken {
					read(id)
				}
			}
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
	if len(c.Text) > maxShared {
		p.log.Warn("clipboard too large to share", "from", c.Screen, "bytes", len(c.Text), "max", maxShared)
		return
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

// holder is one connection of a screen (a screen that reconnects starts with
// an empty clipboard).
type holder struct {
	screen string
	conn   int64
}

// holding is what screen holds.
func (p *Primary) holding(screen string) *[2]string {
	k := holder{screen: screen}
	if screen != p.name {
		sh, _ := p.cfg.Server.Shape(screen)
		k.conn = sh.Conn
	}
	h := p.holds[k]
	if h == nil {
		if len(p.holds) > 64 { // forget connections long gone
			clear(p.holds)
		}
		h = new([2]string)
		p.holds[k] = h
	}
	return h
}

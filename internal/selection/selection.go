// Package selection reads and sets an X display's CLIPBOARD and PRIMARY
// selections as text, and says when another program takes one, for
// dreaminput's clipboard sharing.
//
// Setting a selection makes this connection its owner: it answers other
// programs' requests (TARGETS, UTF8_STRING, TEXT, STRING) until another
// program takes the selection over. Text beyond what one X request carries
// (about 256 KB) is not served, nor read (INCR transfers are not done).
package selection

import (
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xproto"

	"dream/internal/x11"
)

// The selections, numbered as Synergy numbers its clipboards.
const (
	Clipboard = 0
	Primary   = 1
)

// maxText is the most text served or read in one property (the core
// protocol's request limit, less the request's header).
const maxText = 262140 - 64

// ErrTooLarge is returned for text beyond maxText.
var ErrTooLarge = errors.New("selection too large")

// X is one display's selections.
type X struct {
	conn    *xgb.Conn
	win     xproto.Window
	atoms   atoms
	changed chan struct{} // wakes Changed's reader; what changed is in pending
	pending [2]bool
	notify  chan xproto.SelectionNotifyEvent
	getMu   sync.Mutex // one Get at a time
	mu      sync.Mutex
	text    [2]string // what this connection serves, while it owns the selection
	owns    [2]bool
	done    chan struct{}
}

type atoms struct {
	sel                                        [2]xproto.Atom
	targets, utf8, text, str, incr, atom, prop xproto.Atom
}

// Open connects to display ("" is $DISPLAY) and watches its selections.
func Open(display string) (*X, error) {
	conn, name, err := x11.Dial(display)
	if err != nil {
		return nil, err
	}
	x := &X{conn: conn, changed: make(chan struct{}, 1), notify: make(chan xproto.SelectionNotifyEvent, 4), done: make(chan struct{})}
	go x.events()
	if err := x.setup(); err != nil {
		x.Close()
		return nil, fmt.Errorf("selections of %s: %w", name, err)
	}
	return x, nil
}

func (x *X) setup() error {
	if err := xfixes.Init(x.conn); err != nil {
		return err
	}
	if _, err := xfixes.QueryVersion(x.conn, 4, 0).Reply(); err != nil {
		return err
	}
	for _, a := range []struct {
		p    *xproto.Atom
		name string
	}{
		{&x.atoms.sel[Clipboard], "CLIPBOARD"}, {&x.atoms.sel[Primary], "PRIMARY"},
		{&x.atoms.targets, "TARGETS"}, {&x.atoms.utf8, "UTF8_STRING"}, {&x.atoms.text, "TEXT"},
		{&x.atoms.str, "STRING"}, {&x.atoms.incr, "INCR"}, {&x.atoms.atom, "ATOM"},
		{&x.atoms.prop, "DREAM_SELECTION"},
	} {
		r, err := xproto.InternAtom(x.conn, false, uint16(len(a.name)), a.name).Reply()
		if err != nil {
			return err
		}
		*a.p = r.Atom
	}
	screen := xproto.Setup(x.conn).DefaultScreen(x.conn)
	win, err := xproto.NewWindowId(x.conn)
	if err != nil {
		return err
	}
	x.win = win
	if err := xproto.CreateWindowChecked(x.conn, 0, win, screen.Root, -1, -1, 1, 1, 0,
		xproto.WindowClassInputOnly, 0, xproto.CwEventMask, []uint32{xproto.EventMaskPropertyChange}).Check(); err != nil {
		return err
	}
	for _, sel := range x.atoms.sel {
		mask := uint32(xfixes.SelectionEventMaskSetSelectionOwner | xfixes.SelectionEventMaskSelectionWindowDestroy | xfixes.SelectionEventMaskSelectionClientClose)
		if err := xfixes.SelectSelectionInputChecked(x.conn, win, sel, mask).Check(); err != nil {
			return err
		}
	}
	return nil
}

// Changed wakes when another program has taken a selection (something was
// copied or selected there); Taken then says which.
func (x *X) Changed() <-chan struct{} { return x.changed }

// Taken reports which selections other programs took since the last call.
func (x *X) Taken() [2]bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	t := x.pending
	x.pending = [2]bool{}
	return t
}

// Close closes the connection; what it served is no longer served.
func (x *X) Close() error {
	x.conn.Close()
	<-x.done
	return nil
}

func (x *X) events() {
	defer close(x.done)
	x11.Drain(x.conn, func(ev xgb.Event) {
		switch e := ev.(type) {
		case xproto.SelectionRequestEvent:
			x.serve(e)
		case xproto.SelectionClearEvent:
			if id, ok := x.id(e.Selection); ok {
				x.mu.Lock()
				x.owns[id] = false
				x.mu.Unlock()
			}
		case xproto.SelectionNotifyEvent:
			select {
			case x.notify <- e:
			default:
			}
		case xfixes.SelectionNotifyEvent:
			// A new owner; not a program that quit with it (nothing new to paste).
			if id, ok := x.id(e.Selection); ok && e.Owner != x.win && e.Subtype == xfixes.SelectionEventSetSelectionOwner {
				x.mu.Lock()
				x.pending[id] = true
				x.mu.Unlock()
				select {
				case x.changed <- struct{}{}:
				default:
				}
			}
		}
	}, nil)
}

func (x *X) id(sel xproto.Atom) (int, bool) {
	for id, a := range x.atoms.sel {
		if a == sel {
			return id, true
		}
	}
	return 0, false
}

// Set makes text selection id's contents, served by this connection.
func (x *X) Set(id int, text string) error {
	if len(text) > maxText {
		return fmt.Errorf("%w: %d bytes (at most %d)", ErrTooLarge, len(text), maxText)
	}
	x.mu.Lock()
	x.text[id], x.owns[id] = text, true
	x.mu.Unlock()
	if err := xproto.SetSelectionOwnerChecked(x.conn, x.win, x.atoms.sel[id], xproto.TimeCurrentTime).Check(); err != nil {
		return err
	}
	r, err := xproto.GetSelectionOwner(x.conn, x.atoms.sel[id]).Reply()
	if err != nil {
		return err
	}
	if r.Owner != x.win {
		return errors.New("another program kept the selection")
	}
	return nil
}

// serve answers another program's request for a selection this connection owns.
func (x *X) serve(e xproto.SelectionRequestEvent) {
	prop := e.Property
	if prop == 0 { // an obsolete requestor: use the target's name
		prop = e.Target
	}
	id, ok := x.id(e.Selection)
	x.mu.Lock()
	text, owns := x.text[id], ok && x.owns[id]
	x.mu.Unlock()
	switch {
	case !owns:
		prop = 0
	case e.Target == x.atoms.targets:
		offered := []xproto.Atom{x.atoms.targets, x.atoms.utf8, x.atoms.text, x.atoms.str}
		list := make([]byte, 4*len(offered))
		for i, a := range offered {
			xgb.Put32(list[4*i:], uint32(a))
		}
		xproto.ChangeProperty(x.conn, xproto.PropModeReplace, e.Requestor, prop, x.atoms.atom, 32, uint32(len(list)/4), list)
	case e.Target == x.atoms.utf8 || e.Target == x.atoms.text:
		xproto.ChangeProperty(x.conn, xproto.PropModeReplace, e.Requestor, prop, x.atoms.utf8, 8, uint32(len(text)), []byte(text))
	case e.Target == x.atoms.str:
		latin1 := toLatin1(text)
		xproto.ChangeProperty(x.conn, xproto.PropModeReplace, e.Requestor, prop, x.atoms.str, 8, uint32(len(latin1)), latin1)
	default:
		prop = 0 // a target not offered
	}
	ev := xproto.SelectionNotifyEvent{Time: e.Time, Requestor: e.Requestor, Selection: e.Selection, Target: e.Target, Property: prop}
	xproto.SendEvent(x.conn, false, e.Requestor, 0, string(ev.Bytes()))
}

// Get reads selection id's text: what this connection serves, or what the
// owner converts to UTF-8 within a second. No owner is "", nil.
func (x *X) Get(id int) (string, error) {
	x.mu.Lock()
	if x.owns[id] {
		defer x.mu.Unlock()
		return x.text[id], nil
	}
	x.mu.Unlock()
	x.getMu.Lock()
	defer x.getMu.Unlock()
	owner, err := xproto.GetSelectionOwner(x.conn, x.atoms.sel[id]).Reply()
	if err != nil {
		return "", err
	}
	if owner.Owner == 0 {
		return "", nil
	}
	for len(x.notify) > 0 { // a late answer to an earlier Get
		<-x.notify
	}
	xproto.ConvertSelection(x.conn, x.win, x.atoms.sel[id], x.atoms.utf8, x.atoms.prop, xproto.TimeCurrentTime)
	timeout := time.After(time.Second)
	for {
		select {
		case n := <-x.notify:
			if n.Selection != x.atoms.sel[id] {
				continue
			}
			if n.Property == 0 {
				return "", errors.New("the selection's owner has no text")
			}
			r, err := xproto.GetProperty(x.conn, true, x.win, x.atoms.prop, xproto.GetPropertyTypeAny, 0, maxText/4+1).Reply()
			if err != nil {
				return "", err
			}
			if r.Type == x.atoms.incr || r.BytesAfter > 0 {
				return "", fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxText)
			}
			return string(r.Value), nil
		case <-timeout:
			return "", errors.New("the selection's owner did not answer within a second")
		case <-x.done:
			return "", errors.New("the X connection closed")
		}
	}
}

// toLatin1 converts text for STRING requestors ('?' for what Latin-1 lacks).
func toLatin1(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff || r == utf8.RuneError {
			r = '?'
		}
		b = append(b, byte(r))
	}
	return b
}

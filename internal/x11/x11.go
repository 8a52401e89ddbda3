// Package x11 opens X connections for dream's X clients (capture, inject,
// cursor, the viewer's keymap, tests), with errors a user can act on.
package x11

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/jezek/xgb"
)

// xgb prints "Could not get authority info" for every connection to a display
// without an Xauthority entry (any Xvfb started by dream): not news.
func init() { xgb.Logger = log.New(io.Discard, "", 0) }

// Dial connects to display, or to $DISPLAY when it is "", and returns the
// connection and the display's name.
func Dial(display string) (*xgb.Conn, string, error) {
	if display == "" {
		display = os.Getenv("DISPLAY")
		if display == "" {
			return nil, "", errors.New("no display given and $DISPLAY is not set (pass --display :N, or drop --display to use the built-in one)")
		}
	}
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		why := err.Error()
		if strings.Contains(why, "no such file") || strings.Contains(why, "connection refused") {
			why = "no X server there"
		}
		return nil, display, fmt.Errorf("cannot open display %s: %s (start one, or drop --display to use the built-in one)", display, why)
	}
	return conn, display, nil
}

// Drain reads conn's events until the connection ends, handing each event to
// onEvent and each X error (of an unchecked request) to onError; either may be
// nil. Run it on a goroutine of its own from the moment the connection opens:
// xgb stops delivering replies while its event queue is full.
func Drain(conn *xgb.Conn, onEvent func(xgb.Event), onError func(xgb.Error)) {
	for {
		ev, xerr := conn.WaitForEvent()
		switch {
		case ev == nil && xerr == nil: // the connection is gone
			return
		case xerr != nil:
			if onError != nil {
				onError(xerr)
			}
		case onEvent != nil:
			onEvent(ev)
		}
	}
}

package capture

import (
	"io"
	"log"

	"github.com/jezek/xgb"
)

func init() {
	// xgb logs "Could not get authority info" on every connection to a
	// display without Xauthority, and its other messages (a broken
	// connection) reach callers as errors anyway.
	xgb.Logger = log.New(io.Discard, "", 0)
}

package inject

import (
	"io"
	"log"

	"github.com/jezek/xgb"
)

func init() {
	// xgb logs "Could not get authority info" on every connection to a
	// display without Xauthority; its other messages reach callers as errors.
	xgb.Logger = log.New(io.Discard, "", 0)
}

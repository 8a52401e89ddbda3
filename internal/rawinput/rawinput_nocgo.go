//go:build !cgo

package rawinput

import "errors"

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("raw input closed")

// Watcher reads raw pointer motion; this build has none.
type Watcher struct{}

// Open fails: reading XInput2 needs cgo and libXi.
func Open(display string) (*Watcher, error) {
	return nil, errors.New("raw input: this build has no XInput2 (build with CGO_ENABLED=1 and libxi-dev installed)")
}

// WatchWarps fails: there is no Watcher.
func (w *Watcher) WatchWarps() error { return ErrClosed }

// Next returns ErrClosed.
func (w *Watcher) Next() (dx, dy float64, err error) { return 0, 0, ErrClosed }

// Close does nothing.
func (w *Watcher) Close() error { return nil }

// Package compositor turns an X display into tiles of video: it watches the
// display for damage, maps damage to tiles, and for each damaged tile that has a
// viewer grabs the tile's pixels (MIT-SHM), converts them to I420 (libyuv), encodes
// them once and sends the frame to every viewer of the tile.
//
// Each tile has its own goroutine, encoder and shared-memory segment; the damage
// watcher only marks tiles dirty and wakes them. A tile's goroutine grabs pixels
// when it is about to encode, so changes that arrive while it is busy are folded
// into its next frame (latest wins) and nothing upstream ever waits on it. A tile
// with no viewer is neither grabbed nor encoded; a static screen costs nothing.
//
// Subpackages: capture (X11 source), layout (tiles), stream (WebRTC/WHEP).
package compositor

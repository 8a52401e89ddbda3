// Package primary is the server machine's own screen in dreaminput's server
// role, on X11.
//
// It watches this machine's pointer through XInput2 raw motion (it moves over
// any window, and keeps reporting at the screen's edge). When the pointer
// reaches an edge that the configuration links to a connected screen, it grabs
// the keyboard and pointer, hides the cursor, and sends everything to that
// screen through a server.Server: motion (as a position on that screen, moved
// by the raw deltas), buttons, the wheel, and keys as Synergy key IDs with the
// modifier mask and the physical key. Leaving that screen through a linked edge
// moves on to the next screen, or back here, where the grabs end and the
// pointer appears at the matching place on the edge. The configuration's
// keystroke(...) hotkeys switch screens directly, from here or from afar.
//
// No switch happens while a mouse button is held (a drag stays on its screen).
// A screen that drops while it has the keyboard gives it back here.
package primary

// Package rawinput reads an X server's raw pointer motion (XInput2 RawMotion):
// the pointer's movement as the device reports it, even when the pointer sits
// at the screen's edge, over any window, and while another client grabs it.
//
// It is a thin cgo wrapper over libXi: xgb cannot read XInput2's events (its
// reader takes every event as 32 bytes, and XI2's generic events are longer).
package rawinput

// Package proto defines the binary messages that dreamview and dreamcomp exchange
// on WebRTC data channels, beside the video.
//
// Channels (opened by the viewer, which makes the offer):
//
//	input    ordered, reliable: Key, Button, Wheel, Text, ReleaseAll, MoveBy,
//	         Jump
//	motion   unordered, no retransmissions: Motion (newest wins); back from
//	         the desktop, CursorPos
//	control  ordered, reliable, from the desktop: Cursor, Clock
//	patch    ordered, reliable: Patch, Video from the desktop (the tile's
//	         picture, update by update); Refresh from the viewer
//
// Every message starts with a version byte and a type byte; numbers are
// big-endian. The version byte is the version that defined the type's layout,
// so each side understands every message of the types it knows. A receiver
// drops (and counts) a message whose version it does not know, whose type it
// does not expect on that channel, or whose length is wrong: the session goes
// on.
//
// Versions:
//
//	1  Key, Button, Wheel, Motion, Text, ReleaseAll (viewer to desktop);
//	   MoveBy, Jump; CursorPos, Cursor, Clock (desktop to viewer)
//	2  the patch channel: Patch, Video (desktop to viewer), Refresh (viewer
//	   to desktop); messages of version 1's types still carry version 1
package proto

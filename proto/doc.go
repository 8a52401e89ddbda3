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
//
// Every message starts with a version byte and a type byte; numbers are
// big-endian. A receiver drops (and counts) a message whose version it does not
// know, whose type it does not expect on that channel, or whose length is wrong:
// the session goes on.
//
// Versions:
//
//	1  Key, Button, Wheel, Motion, Text, ReleaseAll (viewer to desktop);
//	   MoveBy, Jump; CursorPos, Cursor, Clock (desktop to viewer)
package proto

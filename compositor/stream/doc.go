// Package stream serves encoded tiles to viewers over WebRTC, with WHEP signalling.
//
// Each Tile owns one video track. Every viewer of a tile is bound to that same
// track, so a frame is encoded and packetized once and only the RTP packets are
// written per viewer: mirroring a tile costs packets, not encodes. A Tile also
// fans out the tile's patches (SendUpdate) to the viewers that opened the
// "patch" channel, and before each frame the Video message that says what to
// take of it; a viewer that joins, asks (Refresh) or falls behind gets the
// whole picture instead of the update, from its Feed. The Feed (dreamcomp's
// per-tile scheduler) is told of keyframe requests and of viewers waiting;
// this package knows nothing of damage.
//
// HTTP routes (tiles are numbered from 1):
//
//	POST   /whep/{tile}       SDP offer in, 201 Created with the SDP answer and a Location
//	DELETE /whep/{tile}/{id}  hang up
//	PATCH  /whep/{tile}/{id}  405: candidates are gathered before the answer (no trickle)
//	GET    /tiles             the tiles as JSON
//
// A viewer may open data channels on its connection: "input" (ordered,
// reliable) and "motion" (unordered, no retransmissions), whose proto messages
// reach the desktop through Config.NewInput; "control" (the cursor, the
// clock); and "patch" (ordered, reliable: the tile's exact pixels).
//
// The server answers only complete offers: it gathers its own candidates before
// answering, so a client needs no trickle ICE.
package stream

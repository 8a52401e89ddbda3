// Package stream serves encoded tiles to viewers over WebRTC, with WHEP signalling.
//
// Each Tile owns one video track. Every viewer of a tile is bound to that same
// track, so a frame is encoded and packetized once and only the RTP packets are
// written per viewer: mirroring a tile costs packets, not encodes.
//
// HTTP routes (tiles are numbered from 1):
//
//	POST   /whep/{tile}       SDP offer in, 201 Created with the SDP answer and a Location
//	DELETE /whep/{tile}/{id}  hang up
//	PATCH  /whep/{tile}/{id}  405: candidates are gathered before the answer (no trickle)
//	GET    /tiles             the tiles as JSON
//
// A viewer may open two data channels on its connection, "input" (ordered,
// reliable) and "motion" (unordered, no retransmissions), carrying proto
// messages; they reach the desktop through Config.NewInput.
//
// The server answers only complete offers: it gathers its own candidates before
// answering, so a client needs no trickle ICE.
package stream

// Package client connects a viewer to one tile of a dreamcomp server over WHEP,
// turns the tile's RTP stream back into encoded frames, and hands over the
// patch channel's messages (Config.OnPatch) in order.
//
// A frame ends on the RTP marker bit, so it is handed over as soon as its last
// packet arrives (a jitter-buffer that waits for the next frame would add a frame
// interval, and would hold back the last change of a screen that then goes still).
// A gap in sequence numbers drops the frame being built and asks the server for a
// keyframe (PLI, rate-limited); frames are then skipped until that keyframe comes.
// Until the first frame arrives it asks for a keyframe every 300 ms: packets sent
// the moment the server's side is up can reach this side before it is.
package client

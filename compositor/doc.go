// Package compositor turns an X display into tiles: it watches the display for
// damage, hands it to the tiles it touches, and each tile's scheduler (tile.go)
// sends what changed, once for all its viewers, in one of two lanes.
//
// The scheduler grabs what was damaged (MIT-SHM) and compares it with the
// tile's shadow, the picture it last sent (shadow.go): only pixels that differ
// count, per 64x64 cell. Cells that change often over a large part of the tile,
// when patches of them would cost more than video (lanes.go), go to the video
// lane: converted to I420 where they changed (libyuv), encoded with the rest of
// the tile's picture, and named to the viewers in a Video message that comes
// before the frame. Everything else goes to the patch lane: exact pixels of the
// changed rectangles, coded in blocks in parallel and sent as each is ready
// (patches.go, internal/patch). What went as video, or first as JPEG, is sent
// again exact once it has been still a moment.
//
// A tile's goroutine never waits on anything upstream: damage that comes while
// it works is folded into its next update. A tile with no viewer grabs and
// codes nothing; a still screen costs nothing.
//
// Subpackages: capture (X11 source), layout (tiles), encode (video), stream
// (WebRTC/WHEP, the track and the patch channel), inject (keyboard and mouse),
// cursor, access (tokens), web (the browser viewer).
package compositor

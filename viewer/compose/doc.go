// Package compose keeps a tile's picture at the viewer, B,G,R,A pixels built
// from two lanes: the video frames, and the exact rectangles of the patch
// channel.
//
// Until the patch channel says anything, every decoded frame is the picture.
// Once it has, the picture changes only as its messages say, in the order
// they come, which is the desktop's capture order: a Patch puts exact pixels
// in place; a Video message takes some rectangles of the frame with its RTP
// timestamp (or a later one) and waits for that frame to be decoded, holding
// back the messages behind it. So a coarse video frame never overwrites the
// exact pixels of a region that went still after it.
//
// A message that cannot be used (malformed, outside the tile, data that does
// not decode to its rectangle, a frame that never comes) is dropped and
// counted, and the picture asks the desktop for the whole tile again
// (Config.Refresh). Nothing of it stalls the video.
//
// The renderer takes only what changed (Take), complete updates at a time.
package compose

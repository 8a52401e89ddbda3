// Package viewer is the laptop side of dream: dreamview's parts.
//
// client connects to one tile over WHEP and yields encoded frames and the
// patch channel's messages; decode turns frames into I420 pictures; player
// joins the two and counts what it did; compose builds the tile's picture
// from the video and the exact patches, in capture order; render shows it in
// a GLFW/OpenGL window, or writes it to a snapshot.
package viewer

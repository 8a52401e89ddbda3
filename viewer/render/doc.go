// Package render shows a tile's picture (a compose.Picture): Window draws it
// fullscreen (or in a window) with GLFW and OpenGL, from one RGBA texture that
// takes only the rectangles that changed (glTexSubImage2D), with the desktop's
// cursor and the statistics overlay over it; Snapshot writes it to a PNG file.
//
// The picture wakes the window (Wake) when an update completes; the decoder
// and the patch channel never wait for the screen.
package render

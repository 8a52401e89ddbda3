// Package render shows decoded pictures: Window draws them fullscreen (or in a
// window) with GLFW and OpenGL, the I420 planes uploaded as three textures and
// converted by a shader; Headless keeps the newest picture for snapshots.
//
// Both are player.Sinks: Show copies the picture into a latest-wins slot, so the
// decoder never waits for the screen.
package render

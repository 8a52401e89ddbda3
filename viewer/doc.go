// Package viewer is the laptop side of dream: dreamview's parts.
//
// client connects to one tile over WHEP and yields encoded frames; decode turns
// them into I420 pictures; player joins the two and counts what it did; render
// shows pictures in a GLFW/OpenGL window or keeps them headless for snapshots.
package viewer

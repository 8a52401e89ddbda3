// Package cursor follows the X display's pointer for the viewers: its image
// (XFixes cursor events, then GetCursorImage) and its position (QueryPointer,
// polled while someone watches, and at once after injected motion).
//
// The cursor is not in the video: viewers draw it, so it moves without waiting
// for an encoder and stays sharp at any scale.
package cursor

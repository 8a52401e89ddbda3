// Package yuvtest draws synthetic desktop pictures for codec tests and
// benchmarks: a gradient wallpaper, windows with title bars and borders, lines
// of text-like high-contrast strokes, flat areas, a photo-like gradient, and a
// taskbar. Type changes a small region the way typing a character does.
//
// Pixels are bytes B,G,R,X like an X server's, 4 bytes each, rows 4·w apart.
package yuvtest

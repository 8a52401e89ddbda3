// Package layout cuts the captured X screen into tiles, one per client screen, and
// maps damaged rectangles to the tiles they touch.
//
// Tiles are numbered from 1, left to right, in every user-facing place. A span of N
// cuts the screen into N equal columns; each tile's width and height are rounded
// down to an even number so that 4:2:0 video covers every pixel of the tile.
package layout

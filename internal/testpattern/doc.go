// Package testpattern is an X client that fills a display with a known test
// picture, for end-to-end tests and the demo (cmd/dreampattern).
//
// The display is cut into equal-width columns, one per tile, and each column
// gets content of its own: a base colour (different per tile), a taskbar and
// desktop icons (flat rectangles), a window with lines of small blocky
// text-like glyphs (different text per tile), a horizontal gradient band, and
// the tile number drawn big in blocks. A video codec at a decent bitrate
// reproduces it at 30 dB PSNR or better, while a frame from the wrong tile,
// a shifted frame or a stale frame is far off.
//
//	p, err := testpattern.Start(srv.Display(), 3)
//	defer p.Close()
//	err = p.Fill(image.Rect(100, 100, 300, 200), color.RGBA{255, 0, 0, 255})
//	err = p.Restore(image.Rect(100, 100, 300, 200)) // back to the pattern
//
// The pattern is drawn into a pixmap that is the background of an
// override-redirect window covering the root, so the X server repaints
// exposures by itself and no event loop is needed. Fill and Restore draw into
// that pixmap and clear the window region to show it; they return only after
// the X server has processed the change, so a capture started afterwards sees
// it. Patterns and their methods are safe for use by one goroutine at a time.
package testpattern

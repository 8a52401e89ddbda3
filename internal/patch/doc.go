// Package patch codes the patch lane's rectangles: the exact pixels of the
// parts of a tile that changed, sent beside the video (proto.Patch).
//
// A rectangle is coded the cheapest way its content allows, chosen by
// counting its colours in one pass:
//
//	Solid    one colour: its three bytes, whatever the size
//	Palette  up to 256 colours (text, UI): the palette, then one index a
//	         pixel, in one zstd frame
//	QOI      more colours: the QOI operations (runs, a 64-colour cache, small
//	         differences, literal colours) for RGB, in one zstd frame, or
//	         bare when zstd would not make them smaller (QOIRaw); for a
//	         rectangle of 64x64 or less whichever of Palette and QOI is
//	         smaller (a glyph's anti-aliasing gives it dozens of colours)
//	JPEG     more colours, a large rectangle, and a lossy first version
//	         allowed (a photo): baseline JPEG at quality 90, 4:4:4, which an
//	         exact version replaces once the region is still
//
// Palette and QOI are lossless: a decoded pixel is the desktop's, byte for
// byte. These were picked by measuring the candidates (zstd of the raw
// pixels, PNG, WebP lossless, QOI with and without zstd, a palette) on a
// 1080p text screen, a glyph, a dialog and a photo: see README.md.
//
// An Encoder is one tile's; a Decoder one viewer's. Neither is safe for
// concurrent use. A Decoder writes at most the rectangle's pixels, whatever
// the data says: a malformed or hostile patch is an error, never more work
// or memory than its rectangle.
package patch

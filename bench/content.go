package bench

import (
	"bytes"
	_ "embed"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Content is what the typing scenario's region shows: one flat colour (which
// every encoder compresses to almost nothing), a page of text, or a photo.
type Content string

const (
	Flat  Content = "flat"
	Text  Content = "text"
	Photo Content = "photo"
)

// Contents are all of them, in the order the bench measures them.
var Contents = []Content{Flat, Text, Photo}

// ParseContent checks a content's name.
func ParseContent(s string) (Content, error) {
	for _, c := range Contents {
		if string(c) == s {
			return c, nil
		}
	}
	return "", fmt.Errorf("content %q: want flat, text or photo", s)
}

//go:embed testdata/photo.jpg
var photoJPEG []byte

// The text is code, as an editor or a terminal shows it.
//
//go:embed typing.go
var pageText string

// marker is the flat block around the watched point that every picture
// carries in the key's colour (16-aligned, so that a block-based encoder
// keeps it flat): the viewer knows a keystroke's picture by it.
func marker() image.Rectangle {
	c := centre()
	x, y := c.X&^15, c.Y&^15
	return image.Rect(x, y, x+32, y+32)
}

// contentPictures are the pictures area takes in turn on each key: i shows c
// with the marker in typingColours[i]. Text scrolls three lines a key; the
// photo pans a tenth of the area's width a key.
func contentPictures(c Content, area image.Rectangle) ([]*image.RGBA, error) {
	var draw func(img *image.RGBA, i int)
	switch c {
	case Flat:
		draw = func(img *image.RGBA, i int) { fillRect(img, img.Rect, typingColours[i]) }
	case Text:
		f, err := textDrawer()
		if err != nil {
			return nil, err
		}
		draw = func(img *image.RGBA, i int) { drawText(img, f, 3*i) }
	case Photo:
		photo, step, err := scaledPhoto(area.Size())
		if err != nil {
			return nil, err
		}
		draw = func(img *image.RGBA, i int) {
			drawImage(img, photo, image.Pt(i*step, 0))
		}
	default:
		return nil, fmt.Errorf("content %q: want flat, text or photo", c)
	}
	var out []*image.RGBA
	for i := range typingColours {
		img := image.NewRGBA(area)
		draw(img, i)
		fillRect(img, marker().Intersect(area), typingColours[i])
		out = append(out, img)
	}
	return out, nil
}

func fillRect(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func drawImage(dst *image.RGBA, src image.Image, at image.Point) {
	draw.Draw(dst, dst.Rect, src, src.Bounds().Min.Add(at), draw.Src)
}

// scaledPhoto is the photo scaled to cover size with room to pan four steps.
func scaledPhoto(size image.Point) (image.Image, int, error) {
	src, err := jpeg.Decode(bytes.NewReader(photoJPEG))
	if err != nil {
		return nil, 0, fmt.Errorf("the photo: %w", err)
	}
	step := size.X / 10
	sb := src.Bounds()
	scale := max(float64(size.X+len(typingColours)*step)/float64(sb.Dx()), float64(size.Y)/float64(sb.Dy()))
	dst := image.NewRGBA(image.Rect(0, 0, int(float64(sb.Dx())*scale)+1, int(float64(sb.Dy())*scale)+1))
	draw.ApproxBiLinear.Scale(dst, dst.Rect, src, sb, draw.Src, nil)
	return dst, step, nil
}

func textDrawer() (*font.Drawer, error) {
	f, err := opentype.Parse(gomono.TTF)
	if err != nil {
		return nil, err
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 13, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	return &font.Drawer{Src: image.NewUniform(color.RGBA{30, 30, 36, 255}), Face: face}, nil
}

// drawText fills img with the page from line first on: dark anti-aliased
// text on white, 16 pixels a line.
func drawText(img *image.RGBA, d *font.Drawer, first int) {
	fillRect(img, img.Rect, color.RGBA{250, 250, 250, 255})
	lines := strings.Split(strings.ReplaceAll(pageText, "\t", "    "), "\n")
	d.Dst = img
	for n, y := first, img.Rect.Min.Y+13; y < img.Rect.Max.Y+13; n, y = n+1, y+16 {
		d.Dot = fixed.P(img.Rect.Min.X+8, y)
		d.DrawString(lines[n%len(lines)])
	}
}

// The glyph: one character cell of the bench's text, as a terminal draws a
// typed key, dark on the page's white but in the key's colour. The cell is
// placed so that a pixel the glyph covers fully is the watched one.
const glyphRune = 'M'

// glyphAt is where in its cell the glyph covers a pixel fully.
func glyphAt() (image.Point, error) {
	img, err := drawGlyph(color.RGBA{0, 0, 0, 255})
	if err != nil {
		return image.Point{}, err
	}
	for y := 0; y < img.Rect.Dy(); y++ {
		for x := 0; x < img.Rect.Dx(); x++ {
			if img.RGBAAt(x, y) == (color.RGBA{0, 0, 0, 255}) {
				return image.Pt(x, y), nil
			}
		}
	}
	return image.Point{}, fmt.Errorf("the glyph %q covers no pixel fully", glyphRune)
}

// glyphCell is the 8x16 cell the glyph scenario repaints.
func glyphCell() image.Rectangle {
	at, err := glyphAt()
	if err != nil {
		at = image.Pt(3, 8) // glyphPictures reports the error
	}
	min := centre().Sub(at)
	return image.Rectangle{Min: min, Max: min.Add(image.Pt(8, 16))}
}

// drawGlyph draws the glyph in c on white, in an 8x16 cell at (0, 0).
func drawGlyph(c color.RGBA) (*image.RGBA, error) {
	d, err := textDrawer()
	if err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, 8, 16))
	fillRect(img, img.Rect, color.RGBA{250, 250, 250, 255})
	d.Dst, d.Src = img, image.NewUniform(c)
	d.Dot = fixed.P(0, 12)
	d.DrawString(string(glyphRune))
	return img, nil
}

// glyphPictures are the glyph in each key colour, for the cell area.
func glyphPictures(area image.Rectangle) ([]*image.RGBA, error) {
	if _, err := glyphAt(); err != nil {
		return nil, err
	}
	var out []*image.RGBA
	for _, c := range typingColours {
		g, err := drawGlyph(c)
		if err != nil {
			return nil, err
		}
		img := image.NewRGBA(area)
		drawImage(img, g, image.Point{})
		out = append(out, img)
	}
	return out, nil
}

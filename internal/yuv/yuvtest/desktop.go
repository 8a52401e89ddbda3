package yuvtest

import (
	"image"

	"dream/internal/yuv"
)

// Glyph cell of the text-like strokes.
const (
	cellW = 8
	cellH = 16
)

// Desktop is a synthetic desktop of W×H pixels, B,G,R,X bytes, Stride bytes a row.
type Desktop struct {
	W, H   int
	Stride int
	Pix    []byte
	input  image.Rectangle // the line that Type writes into
}

// NewDesktop draws a desktop of w×h pixels.
func NewDesktop(w, h int) *Desktop {
	d := &Desktop{W: w, H: h, Stride: 4 * w, Pix: make([]byte, 4*w*h)}
	d.draw()
	return d
}

// I420 returns the desktop converted to a new I420 picture.
func (d *Desktop) I420() *yuv.I420 {
	p := yuv.NewI420(d.W, d.H)
	yuv.FromBGRX(p, d.Pix, d.Stride)
	return p
}

func (d *Desktop) draw() {
	w, h := d.W, d.H
	// Wallpaper: vertical blue-violet gradient.
	for y := range h {
		t := y * 255 / max(h-1, 1)
		d.fill(image.Rect(0, y, w, y+1), rgb(40+t/4, 60+t/3, 140+t/3))
	}
	// Taskbar.
	bar := max(h/30, 6)
	d.fill(image.Rect(0, h-bar, w, h), rgb(48, 48, 52))
	for i := range 6 {
		x := 8 + i*(bar*3)
		d.fill(image.Rect(x, h-bar+2, x+bar*2, h-2), rgb(90+20*i, 110, 160-10*i))
	}
	// A terminal-like window full of text.
	term := image.Rect(w/20, h/12, w/20+w*11/20, h/12+h*3/5)
	d.window(term, rgb(30, 30, 30), rgb(200, 200, 200))
	// An editor window with dark text on white, overlapping the terminal.
	ed := image.Rect(w*2/5, h/4, w*2/5+w/2, h/4+h*3/5)
	body := d.window(ed, rgb(250, 250, 250), rgb(20, 20, 20))
	// The line typing goes into: the last text line of the editor, cleared.
	y := body.Max.Y - cellH - 4
	d.input = image.Rect(body.Min.X+4, y, body.Max.X-4, y+cellH)
	d.fill(d.input, rgb(250, 250, 250))
	// A photo-like window: a smooth two-dimensional gradient.
	ph := image.Rect(w*3/5, h/16, w*3/5+w/3, h/16+h/3)
	d.fill(ph, rgb(100, 100, 100))
	in := ph.Inset(3)
	for y := in.Min.Y; y < in.Max.Y; y++ {
		for x := in.Min.X; x < in.Max.X; x++ {
			u := (x - in.Min.X) * 255 / max(in.Dx(), 1)
			v := (y - in.Min.Y) * 255 / max(in.Dy(), 1)
			d.set(x, y, rgb(u, v, (u+v)/2))
		}
	}
}

// window draws a frame with a title bar and text lines in ink on bg, and
// returns the body's rectangle.
func (d *Desktop) window(r image.Rectangle, bg, ink [3]byte) image.Rectangle {
	d.fill(r, rgb(70, 90, 120)) // border
	title := image.Rect(r.Min.X+2, r.Min.Y+2, r.Max.X-2, r.Min.Y+24)
	d.fill(title, rgb(52, 101, 164))
	d.text(title.Inset(3), rgb(255, 255, 255), 7)
	body := image.Rect(r.Min.X+2, title.Max.Y, r.Max.X-2, r.Max.Y-2)
	d.fill(body, bg)
	d.text(body.Inset(4), ink, 1)
	return body
}

// text fills r with lines of glyphs, seeded by seed.
func (d *Desktop) text(r image.Rectangle, ink [3]byte, seed int) {
	n := seed
	for y := r.Min.Y; y+cellH <= r.Max.Y; y += cellH + 2 {
		// Ragged right edge, like prose.
		end := r.Max.X - (n*37)%max(r.Dx()/3, 1)
		for x := r.Min.X; x+cellW <= end; x += cellW {
			n++
			if n%7 != 0 { // every seventh cell is a space
				d.glyph(x, y, n, ink)
			}
		}
	}
}

// glyph draws a pseudo-character: a few 1–2 pixel strokes chosen by n.
func (d *Desktop) glyph(x0, y0, n int, ink [3]byte) {
	h := uint32(n)*2654435761 + 12345
	for range 3 + int(h%3) {
		h = h*1103515245 + 12345
		k := int(h >> 16)
		switch k % 4 {
		case 0: // vertical stroke
			x := x0 + 1 + k/4%(cellW-3)
			d.fill(image.Rect(x, y0+3, x+1+k/16%2, y0+cellH-2), ink)
		case 1: // horizontal stroke
			y := y0 + 3 + k/4%(cellH-6)
			d.fill(image.Rect(x0+1, y, x0+cellW-2, y+1), ink)
		case 2: // dot
			x, y := x0+1+k/4%(cellW-3), y0+4+k/32%(cellH-7)
			d.fill(image.Rect(x, y, x+2, y+2), ink)
		default: // diagonal
			for i := range cellH - 6 {
				d.set(x0+1+i*(cellW-3)/(cellH-6), y0+3+i, ink)
			}
		}
	}
}

// Type draws the n-th character typed into the editor's input line and returns
// the changed rectangle. When the line is full it starts again from an empty
// line, so any n changes something.
func (d *Desktop) Type(n int) image.Rectangle {
	per := max(d.input.Dx()/cellW, 1)
	if n%per == 0 && n > 0 {
		d.fill(d.input, rgb(250, 250, 250))
		return d.input
	}
	x := d.input.Min.X + (n%per)*cellW
	r := image.Rect(x, d.input.Min.Y, x+cellW, d.input.Max.Y)
	d.fill(r, rgb(250, 250, 250))
	d.glyph(r.Min.X, r.Min.Y, n+1000, rgb(20, 20, 20))
	return r
}

func rgb(r, g, b int) [3]byte { return [3]byte{byte(r), byte(g), byte(b)} }

func (d *Desktop) set(x, y int, c [3]byte) {
	if x < 0 || y < 0 || x >= d.W || y >= d.H {
		return
	}
	i := y*d.Stride + 4*x
	d.Pix[i], d.Pix[i+1], d.Pix[i+2], d.Pix[i+3] = c[2], c[1], c[0], 0
}

func (d *Desktop) fill(r image.Rectangle, c [3]byte) {
	r = r.Intersect(image.Rect(0, 0, d.W, d.H))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := d.Pix[y*d.Stride+4*r.Min.X : y*d.Stride+4*r.Max.X]
		for i := 0; i < len(row); i += 4 {
			row[i], row[i+1], row[i+2], row[i+3] = c[2], c[1], c[0], 0
		}
	}
}

package testpattern

import (
	"image"
	"image/color"
	"math"
	"strconv"
)

// tileRect is column n (0-based) of tiles equal-width columns of a w×h screen.
func tileRect(n, tiles, w, h int) image.Rectangle {
	return image.Rect(n*w/tiles, 0, (n+1)*w/tiles, h)
}

// baseColour is tile n's background: hues spread by the golden angle so any
// two tiles differ, at a saturation and value that keep white text readable.
func baseColour(n int) color.RGBA {
	hue := math.Mod(float64(n)*0.381966+0.6, 1) // 0.6: tile 0 is blue
	return hsv(hue, 0.65, 0.55)
}

func hsv(h, s, v float64) color.RGBA {
	i := int(h * 6)
	f := h*6 - float64(i)
	p, q, t := v*(1-s), v*(1-f*s), v*(1-(1-f)*s)
	var r, g, b float64
	switch i % 6 {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return color.RGBA{uint8(r*255 + 0.5), uint8(g*255 + 0.5), uint8(b*255 + 0.5), 255}
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		for i := 0; i < len(row); i += 4 {
			row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, 255
		}
	}
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t + 0.5) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 255}
}

// render draws the whole pattern for a w×h screen cut into tiles columns.
func render(w, h, tiles int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for n := range tiles {
		renderTile(img, tileRect(n, tiles, w, h), n)
	}
	return img
}

// renderTile draws tile n into t, a desktop-like scene scaled to t's size.
func renderTile(img *image.RGBA, t image.Rectangle, n int) {
	base := baseColour(n)
	white := color.RGBA{240, 240, 240, 255}
	dark := color.RGBA{30, 30, 36, 255}
	tw, th := t.Dx(), t.Dy()
	at := func(fx, fy float64) image.Point { // a point at fractions of the tile
		return image.Pt(t.Min.X+int(fx*float64(tw)), t.Min.Y+int(fy*float64(th)))
	}
	rect := func(fx0, fy0, fx1, fy1 float64) image.Rectangle {
		return image.Rectangle{at(fx0, fy0), at(fx1, fy1)}
	}

	fill(img, t, base)

	// Taskbar and desktop icons: flat rectangles.
	fill(img, rect(0, 0.95, 1, 1), dark)
	fill(img, rect(0.01, 0.955, 0.08, 0.995), mix(base, white, 0.5))
	for i := range 4 {
		y := 0.06 + float64(i)*0.11
		fill(img, rect(0.02, y, 0.07, y+0.08), hsv(math.Mod(float64(n*4+i)*0.13, 1), 0.8, 0.9))
	}

	// A window: title bar in a darker base colour, light body with text.
	win := rect(0.12, 0.06, 0.80, 0.56)
	fill(img, win, mix(white, base, 0.15)) // tinted, so no two tiles share it
	title := image.Rect(win.Min.X, win.Min.Y, win.Max.X, win.Min.Y+min(24, win.Dy()/6))
	fill(img, title, mix(base, dark, 0.5))
	text(img, image.Rect(win.Min.X+8, title.Max.Y+8, win.Max.X-8, win.Max.Y-8), dark, uint32(n))

	// A horizontal gradient band from the base colour through white to its
	// complement.
	band := rect(0, 0.62, 1, 0.72)
	comp := color.RGBA{255 - base.R, 255 - base.G, 255 - base.B, 255}
	for x := band.Min.X; x < band.Max.X; x++ {
		f := float64(x-band.Min.X) / float64(max(1, band.Dx()-1))
		c := mix(base, white, 2*f)
		if f > 0.5 {
			c = mix(white, comp, 2*f-1)
		}
		fill(img, image.Rect(x, band.Min.Y, x+1, band.Max.Y), c)
	}

	// The tile number (counted from 1), big, in blocks, bottom right.
	cell := max(2, min(tw, th)/36)
	label := strconv.Itoa(n + 1)
	lw := len(label)*6*cell - cell
	origin := image.Pt(t.Max.X-lw-2*cell, t.Min.Y+int(0.74*float64(th)))
	fill(img, image.Rect(origin.X-cell, origin.Y-cell, origin.X+lw+cell, origin.Y+8*cell), dark)
	for i, d := range label {
		number(img, image.Pt(origin.X+i*6*cell, origin.Y), cell, digits[d-'0'], white)
	}
}

// text fills r with lines of 3x5 blocky glyphs (2-pixel cells), seeded so
// each tile reads differently.
func text(img *image.RGBA, r image.Rectangle, c color.RGBA, seed uint32) {
	const cellPx, advance, lineH = 2, 8, 14
	for line, y := 0, r.Min.Y; y+5*cellPx <= r.Max.Y; line, y = line+1, y+lineH {
		// Ragged right margin, like prose.
		end := r.Max.X - int(glyphBits(seed*977+uint32(line))%uint16(max(1, r.Dx()/3)))
		for col, x := 0, r.Min.X; x+3*cellPx <= end; col, x = col+1, x+advance {
			g := glyphBits(seed<<20 ^ uint32(line)<<10 ^ uint32(col))
			if g%7 == 0 { // word gap
				continue
			}
			for cy := range 5 {
				for cx := range 3 {
					if g&(1<<(cy*3+cx)) != 0 {
						fill(img, image.Rect(x+cx*cellPx, y+cy*cellPx, x+(cx+1)*cellPx, y+(cy+1)*cellPx), c)
					}
				}
			}
		}
	}
}

// number draws one 5x7 digit with cells of size cell at p.
func number(img *image.RGBA, p image.Point, cell int, d [7]string, c color.RGBA) {
	for y, row := range d {
		for x, b := range row {
			if b == '#' {
				fill(img, image.Rect(p.X+x*cell, p.Y+y*cell, p.X+(x+1)*cell, p.Y+(y+1)*cell), c)
			}
		}
	}
}

package patch

// palette counts a rectangle's colours and gives each pixel its index, in one
// pass; it gives up at the 257th colour. Its table is reused from rectangle to
// rectangle (a generation number clears it).
type palette struct {
	colours []uint32 // 0x00RRGGBB, in order of first appearance
	keys    [1024]uint32
	index   [1024]uint8
	gen     [1024]uint32
	now     uint32
}

// build fills p.colours and appends one index a pixel of the w×h B,G,R,X
// pixels at pix to idx; ok is false (and idx of no use) past 256 colours.
func (p *palette) build(idx, pix []byte, stride, w, h int) (out []byte, ok bool) {
	p.now++
	if p.now == 0 { // wrapped: clear for real
		p.gen = [1024]uint32{}
		p.now = 1
	}
	p.colours = p.colours[:0]
	last, lastIndex := uint32(1<<31), uint8(0) // no colour has bit 31
	for y := range h {
		row := pix[y*stride : y*stride+4*w]
		for x := 0; x < len(row); x += 4 {
			c := uint32(row[x]) | uint32(row[x+1])<<8 | uint32(row[x+2])<<16
			if c != last {
				i := (c * 2654435761) >> 22
				for {
					if p.gen[i] != p.now {
						if len(p.colours) == 256 {
							return idx, false
						}
						p.gen[i], p.keys[i], p.index[i] = p.now, c, uint8(len(p.colours))
						p.colours = append(p.colours, c)
						break
					}
					if p.keys[i] == c {
						break
					}
					i = (i + 1) & 1023
				}
				last, lastIndex = c, p.index[i]
			}
			idx = append(idx, lastIndex)
		}
	}
	return idx, true
}

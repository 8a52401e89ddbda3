package patch

import "fmt"

// QOI operations (https://qoiformat.org), for RGB pixels: the encoder never
// emits QOI_OP_RGBA, and the stream has no header or end marker (the
// rectangle gives the pixel count).
const (
	qoiIndex = 0x00 // 00xxxxxx: the colour cached at index x
	qoiDiff  = 0x40 // 01rrggbb: each channel changed by -2..1
	qoiLuma  = 0x80 // 10gggggg rrrrbbbb: green by -32..31, red and blue by green's -8..7
	qoiRun   = 0xc0 // 11xxxxxx: the previous colour x+1 times (1 to 62)
	qoiRGB   = 0xfe // then R, G, B
	qoiRGBA  = 0xff // then R, G, B, A (decoded, alpha dropped)
)

// qoiHash is QOI's colour hash with alpha 255 (255×11 ≡ 53 mod 64).
func qoiHash(r, g, b byte) byte { return (r*3 + g*5 + b*7 + 53) & 63 }

// appendQOI appends the QOI operations for the w×h B,G,R,X pixels at pix
// (rows stride bytes apart) to dst.
func appendQOI(dst, pix []byte, stride, w, h int) []byte {
	var cache [64][3]byte
	pr, pg, pb := byte(0), byte(0), byte(0)
	run := 0
	for y := range h {
		row := pix[y*stride : y*stride+4*w]
		for x := 0; x < len(row); x += 4 {
			b, g, r := row[x], row[x+1], row[x+2]
			if r == pr && g == pg && b == pb {
				if run++; run == 62 {
					dst = append(dst, qoiRun|61)
					run = 0
				}
				continue
			}
			if run > 0 {
				dst = append(dst, qoiRun|byte(run-1))
				run = 0
			}
			i := qoiHash(r, g, b)
			if c := cache[i]; c[0] == r && c[1] == g && c[2] == b {
				dst = append(dst, qoiIndex|i)
			} else {
				cache[i] = [3]byte{r, g, b}
				dr, dg, db := int8(r-pr), int8(g-pg), int8(b-pb)
				drg, dbg := dr-dg, db-dg
				switch {
				case dr >= -2 && dr <= 1 && dg >= -2 && dg <= 1 && db >= -2 && db <= 1:
					dst = append(dst, qoiDiff|byte(dr+2)<<4|byte(dg+2)<<2|byte(db+2))
				case dg >= -32 && dg <= 31 && drg >= -8 && drg <= 7 && dbg >= -8 && dbg <= 7:
					dst = append(dst, qoiLuma|byte(dg+32), byte(drg+8)<<4|byte(dbg+8))
				default:
					dst = append(dst, qoiRGB, r, g, b)
				}
			}
			pr, pg, pb = r, g, b
		}
	}
	if run > 0 {
		dst = append(dst, qoiRun|byte(run-1))
	}
	return dst
}

// decodeQOI decodes ops into the w×h B,G,R,A pixels at dst (rows stride
// bytes apart, alpha 255). The operations must fill the rectangle exactly.
func decodeQOI(dst []byte, stride, w, h int, ops []byte) error {
	var cache [64][3]byte
	r, g, b := byte(0), byte(0), byte(0)
	run := 0
	i := 0
	for y := range h {
		row := dst[y*stride : y*stride+4*w]
		for x := 0; x < len(row); x += 4 {
			if run > 0 {
				run--
			} else {
				if i >= len(ops) {
					return fmt.Errorf("QOI: the operations end at pixel %d of %d", y*w+x/4, w*h)
				}
				op := ops[i]
				i++
				switch {
				case op == qoiRGB || op == qoiRGBA:
					n := 3
					if op == qoiRGBA {
						n = 4
					}
					if i+n > len(ops) {
						return fmt.Errorf("QOI: a colour cut short at pixel %d", y*w+x/4)
					}
					r, g, b = ops[i], ops[i+1], ops[i+2]
					i += n
				case op&0xc0 == qoiIndex:
					c := cache[op]
					r, g, b = c[0], c[1], c[2]
				case op&0xc0 == qoiDiff:
					r += (op>>4)&3 - 2
					g += (op>>2)&3 - 2
					b += op&3 - 2
				case op&0xc0 == qoiLuma:
					if i >= len(ops) {
						return fmt.Errorf("QOI: a difference cut short at pixel %d", y*w+x/4)
					}
					dg := op&63 - 32
					rb := ops[i]
					i++
					r += dg + rb>>4 - 8
					g += dg
					b += dg + rb&15 - 8
				default: // run
					run = int(op & 63)
				}
				cache[qoiHash(r, g, b)] = [3]byte{r, g, b}
			}
			row[x], row[x+1], row[x+2], row[x+3] = b, g, r, 255
		}
	}
	if run > 0 || i != len(ops) {
		return fmt.Errorf("QOI: operations left over after %d pixels", w*h)
	}
	return nil
}

package patch

import (
	"fmt"

	"github.com/klauspost/compress/zstd"

	"dream/internal/turbojpeg"
	"dream/proto"
)

// JPEG settings for a photo's first, lossy version.
const (
	// MinJPEG is the least width × height sent as JPEG first: below it the
	// exact version is small enough to go at once.
	MinJPEG = 128 * 128
	// JPEGQuality with 4:4:4 colour keeps edges and text in a photo crisp.
	JPEGQuality = 90
)

// Encoder codes rectangles of a tile. The zero value is not usable: call
// NewEncoder.
type Encoder struct {
	z    *zstd.Encoder
	jpeg *turbojpeg.Encoder
	pal  palette
	raw  []byte // what goes into zstd
	idx  []byte
	pal2 []byte // a palette encoding kept while QOI is tried
}

// NewEncoder makes an encoder; Close frees it.
func NewEncoder() (*Encoder, error) {
	z, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithLowerEncoderMem(true), zstd.WithEncoderCRC(false))
	if err != nil {
		return nil, fmt.Errorf("patch: zstd: %w", err)
	}
	j, err := turbojpeg.NewEncoder()
	if err != nil {
		z.Close()
		return nil, fmt.Errorf("patch: %w", err)
	}
	return &Encoder{z: z, jpeg: j}, nil
}

// Encode appends the data of the w×h rectangle of B,G,R,X pixels at pix
// (rows stride bytes apart) to dst, and says which encoding it chose. With
// lossy set, a large rectangle of many colours may go as JPEG: the caller
// then owes the viewers its exact version. w×h must be at most
// proto.MaxPatchPixels unless the rectangle is one colour (Solid checks that
// first; see IsSolid).
func (e *Encoder) Encode(dst, pix []byte, stride, w, h int, lossy bool) (encoding uint8, out []byte, err error) {
	if w <= 0 || h <= 0 || stride < 4*w || len(pix) < (h-1)*stride+4*w {
		return 0, dst, fmt.Errorf("patch: %d bytes at stride %d cannot hold %dx%d", len(pix), stride, w, h)
	}
	if c, ok := Solid(pix, stride, w, h); ok {
		return proto.EncodingSolid, append(dst, byte(c>>16), byte(c>>8), byte(c)), nil
	}
	if w*h > proto.MaxPatchPixels {
		return 0, dst, fmt.Errorf("patch: %dx%d is more than %d pixels: split it", w, h, proto.MaxPatchPixels)
	}
	var ok bool
	if e.idx, ok = e.pal.build(e.idx[:0], pix, stride, w, h); ok {
		e.raw = append(e.raw[:0], byte(len(e.pal.colours)-1))
		for _, c := range e.pal.colours {
			e.raw = append(e.raw, byte(c>>16), byte(c>>8), byte(c))
		}
		e.raw = append(e.raw, e.idx...)
		out := e.z.EncodeAll(e.raw, dst)
		if w*h > smallPatch {
			return proto.EncodingPalette, out, nil
		}
		// A glyph's anti-aliasing gives it dozens of colours: its palette
		// may cost more than QOI's differences. Keep the smaller.
		pal := out[len(dst):]
		e.pal2 = append(e.pal2[:0], pal...)
		enc, out := e.qoi(dst, pix, stride, w, h)
		if len(out)-len(dst) <= len(e.pal2) {
			return enc, out, nil
		}
		return proto.EncodingPalette, append(out[:len(dst)], e.pal2...), nil
	}
	if lossy && w*h >= MinJPEG {
		out, err := e.jpeg.EncodeBGRX(dst, pix, w, h, stride, JPEGQuality)
		return proto.EncodingJPEG, out, err
	}
	enc, out := e.qoi(dst, pix, stride, w, h)
	return enc, out, nil
}

// smallPatch is the most pixels a patch may have for its encoder to try
// several encodings and keep the smallest.
const smallPatch = 64 * 64

// qoi appends the QOI operations for the rectangle, compressed unless that
// makes them larger (a glyph's are).
func (e *Encoder) qoi(dst, pix []byte, stride, w, h int) (uint8, []byte) {
	e.raw = appendQOI(e.raw[:0], pix, stride, w, h)
	out := e.z.EncodeAll(e.raw, dst)
	if len(out)-len(dst) < len(e.raw) {
		return proto.EncodingQOI, out
	}
	return proto.EncodingQOIRaw, append(out[:len(dst)], e.raw...)
}

// Solid reports whether the w×h rectangle of B,G,R,X pixels at pix is one
// colour, and which (0x00RRGGBB).
func Solid(pix []byte, stride, w, h int) (uint32, bool) {
	first := pix[0:3]
	for y := range h {
		row := pix[y*stride : y*stride+4*w]
		for x := 0; x < len(row); x += 4 {
			if row[x] != first[0] || row[x+1] != first[1] || row[x+2] != first[2] {
				return 0, false
			}
		}
	}
	return uint32(first[2])<<16 | uint32(first[1])<<8 | uint32(first[0]), true
}

// Close frees the encoder.
func (e *Encoder) Close() {
	e.z.Close()
	e.jpeg.Close()
}

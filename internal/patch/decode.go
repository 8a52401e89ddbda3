package patch

import (
	"errors"
	"fmt"

	"github.com/klauspost/compress/zstd"

	"dream/internal/turbojpeg"
	"dream/proto"
)

// ErrData is wrapped by every error about a patch's data: it does not decode
// to its rectangle.
var ErrData = errors.New("patch data does not decode")

// maxRaw bounds what a zstd frame may decompress to: a Palette of
// MaxPatchPixels, or QOI operations of as many RGB pixels (four bytes each at
// worst). Past it the frame is refused before it costs more.
const maxRaw = 1 + 3*256 + 4*proto.MaxPatchPixels

// Decoder decodes patches into a picture of B,G,R,A pixels. The zero value
// is not usable: call NewDecoder.
type Decoder struct {
	z    *zstd.Decoder
	jpeg *turbojpeg.Decoder
	raw  []byte
}

// NewDecoder makes a decoder; Close frees it.
func NewDecoder() (*Decoder, error) {
	z, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxRaw),
		zstd.WithDecoderMaxWindow(1<<20), zstd.IgnoreChecksum(true))
	if err != nil {
		return nil, fmt.Errorf("patch: zstd: %w", err)
	}
	j, err := turbojpeg.NewDecoder()
	if err != nil {
		z.Close()
		return nil, fmt.Errorf("patch: %w", err)
	}
	return &Decoder{z: z, jpeg: j, raw: make([]byte, 0, maxRaw)}, nil
}

// Decode writes the w×h rectangle that data codes in encoding into dst, rows
// of B,G,R,A bytes stride apart (alpha 255). On error dst may hold part of it.
func (d *Decoder) Decode(encoding uint8, data []byte, w, h int, dst []byte, stride int) error {
	if w <= 0 || h <= 0 || stride < 4*w || len(dst) < (h-1)*stride+4*w {
		return fmt.Errorf("patch: %d bytes at stride %d cannot hold %dx%d", len(dst), stride, w, h)
	}
	if encoding != proto.EncodingSolid && w*h > proto.MaxPatchPixels {
		return fmt.Errorf("patch: %dx%d is more than %d pixels: %w", w, h, proto.MaxPatchPixels, ErrData)
	}
	switch encoding {
	case proto.EncodingSolid:
		if len(data) != 3 {
			return fmt.Errorf("patch: solid colour of %d bytes: %w", len(data), ErrData)
		}
		fill(dst, stride, w, h, data[2], data[1], data[0])
		return nil
	case proto.EncodingJPEG:
		if err := d.jpeg.DecodeBGRA(data, dst, w, h, stride); err != nil {
			return fmt.Errorf("%w: %w", ErrData, err)
		}
		return nil
	case proto.EncodingQOIRaw:
		if err := decodeQOI(dst, stride, w, h, data); err != nil {
			return fmt.Errorf("patch: %w: %w", err, ErrData)
		}
		return nil
	case proto.EncodingPalette, proto.EncodingQOI:
	default:
		return fmt.Errorf("patch: encoding %d: %w", encoding, ErrData)
	}
	raw, err := d.z.DecodeAll(data, d.raw[:0])
	if err != nil {
		return fmt.Errorf("patch: zstd: %w: %w", err, ErrData)
	}
	if encoding == proto.EncodingQOI {
		if err := decodeQOI(dst, stride, w, h, raw); err != nil {
			return fmt.Errorf("patch: %w: %w", err, ErrData)
		}
		return nil
	}
	if len(raw) < 1 {
		return fmt.Errorf("patch: empty palette: %w", ErrData)
	}
	n := int(raw[0]) + 1
	if len(raw) != 1+3*n+w*h {
		return fmt.Errorf("patch: palette of %d colours in %d bytes for %dx%d: %w", n, len(raw), w, h, ErrData)
	}
	var pal [256][4]byte
	for i := range n {
		c := raw[1+3*i:]
		pal[i] = [4]byte{c[2], c[1], c[0], 255}
	}
	idx := raw[1+3*n:]
	for y := range h {
		row := dst[y*stride : y*stride+4*w]
		in := idx[y*w : y*w+w]
		for x, i := range in {
			if int(i) >= n {
				return fmt.Errorf("patch: index %d in a palette of %d: %w", i, n, ErrData)
			}
			copy(row[4*x:4*x+4], pal[i][:])
		}
	}
	return nil
}

func fill(dst []byte, stride, w, h int, b, g, r byte) {
	row := dst[:4*w]
	for x := 0; x < len(row); x += 4 {
		row[x], row[x+1], row[x+2], row[x+3] = b, g, r, 255
	}
	for y := 1; y < h; y++ {
		copy(dst[y*stride:y*stride+4*w], row)
	}
}

// Close frees the decoder.
func (d *Decoder) Close() {
	d.z.Close()
	d.jpeg.Close()
}

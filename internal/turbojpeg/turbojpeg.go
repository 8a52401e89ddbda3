// Package turbojpeg encodes and decodes JPEG with libjpeg-turbo: dreamcomp's
// patch lane sends large photographic rectangles first as JPEG, dreamview
// decodes them, and dreambench's VNC viewer decodes Tight's JPEG as VNC
// viewers do. Go's image/jpeg takes 39 ms to decode a 1920x1080 photo on this
// project's 2-core machine, several times libjpeg-turbo's.
package turbojpeg

// #cgo LDFLAGS: -lturbojpeg
// #include <stdlib.h>
// #include <turbojpeg.h>
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// Decoder decodes JPEG images; it is not safe for concurrent use.
type Decoder struct {
	h C.tjhandle
}

// NewDecoder makes a decoder; Close frees it.
func NewDecoder() (*Decoder, error) {
	h := C.tjInitDecompress()
	if h == nil {
		return nil, errors.New("turbojpeg: cannot make a decompressor")
	}
	return &Decoder{h: h}, nil
}

// Size reads the width and height of the JPEG image in data.
func (d *Decoder) Size(data []byte) (w, h int, err error) {
	if len(data) == 0 {
		return 0, 0, errors.New("turbojpeg: no data")
	}
	var cw, ch, sub, cs C.int
	if C.tjDecompressHeader3(d.h, (*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), &cw, &ch, &sub, &cs) != 0 {
		return 0, 0, d.err("read header")
	}
	return int(cw), int(ch), nil
}

// DecodeBGRX decodes data, a w x h JPEG image, into dst as 4-byte B, G, R, X
// pixels, rows stride bytes apart.
func (d *Decoder) DecodeBGRX(data []byte, dst []byte, w, h, stride int) error {
	return d.decode(data, dst, w, h, stride, C.TJPF_BGRX)
}

// DecodeBGRA is DecodeBGRX with the fourth byte of each pixel 255.
func (d *Decoder) DecodeBGRA(data []byte, dst []byte, w, h, stride int) error {
	return d.decode(data, dst, w, h, stride, C.TJPF_BGRA)
}

func (d *Decoder) decode(data []byte, dst []byte, w, h, stride int, format C.int) error {
	gotW, gotH, err := d.Size(data)
	if err != nil {
		return err
	}
	if gotW != w || gotH != h {
		return fmt.Errorf("turbojpeg: the image is %dx%d, not %dx%d", gotW, gotH, w, h)
	}
	if w <= 0 || h <= 0 || stride < 4*w || len(dst) < (h-1)*stride+4*w {
		return fmt.Errorf("turbojpeg: %d bytes with stride %d do not hold %dx%d", len(dst), stride, w, h)
	}
	if C.tjDecompress2(d.h, (*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)),
		(*C.uchar)(unsafe.Pointer(&dst[0])), C.int(w), C.int(stride), C.int(h), format, 0) != 0 {
		return d.err("decode")
	}
	return nil
}

func (d *Decoder) err(what string) error {
	return fmt.Errorf("turbojpeg: %s: %s", what, C.GoString(C.tjGetErrorStr2(d.h)))
}

// Close frees the decoder.
func (d *Decoder) Close() {
	if d.h != nil {
		C.tjDestroy(d.h)
		d.h = nil
	}
}

// Encoder encodes JPEG images; it is not safe for concurrent use.
type Encoder struct {
	h   C.tjhandle
	buf *C.uchar // tjBufSize of the largest image so far, never reallocated by the library
	cap C.ulong
}

// NewEncoder makes an encoder; Close frees it.
func NewEncoder() (*Encoder, error) {
	h := C.tjInitCompress()
	if h == nil {
		return nil, errors.New("turbojpeg: cannot make a compressor")
	}
	return &Encoder{h: h}, nil
}

// EncodeBGRX appends to dst a baseline JPEG of the w x h image of 4-byte B,
// G, R, X pixels at src, rows stride bytes apart, at quality (1 to 100) with
// full-resolution colour (4:4:4), as text and edges need.
func (e *Encoder) EncodeBGRX(dst, src []byte, w, h, stride, quality int) ([]byte, error) {
	if w <= 0 || h <= 0 || stride < 4*w || len(src) < (h-1)*stride+4*w {
		return dst, fmt.Errorf("turbojpeg: %d bytes with stride %d do not hold %dx%d", len(src), stride, w, h)
	}
	need := C.tjBufSize(C.int(w), C.int(h), C.TJSAMP_444)
	if need > e.cap {
		if e.buf != nil {
			C.tjFree(e.buf)
		}
		e.buf = C.tjAlloc(C.int(need))
		if e.buf == nil {
			e.cap = 0
			return dst, fmt.Errorf("turbojpeg: cannot allocate %d bytes", need)
		}
		e.cap = need
	}
	size := e.cap
	if C.tjCompress2(e.h, (*C.uchar)(unsafe.Pointer(&src[0])), C.int(w), C.int(stride), C.int(h), C.TJPF_BGRX,
		&e.buf, &size, C.TJSAMP_444, C.int(quality), C.TJFLAG_NOREALLOC|C.TJFLAG_FASTDCT) != 0 {
		return dst, fmt.Errorf("turbojpeg: encode: %s", C.GoString(C.tjGetErrorStr2(e.h)))
	}
	return append(dst, unsafe.Slice((*byte)(unsafe.Pointer(e.buf)), int(size))...), nil
}

// Close frees the encoder.
func (e *Encoder) Close() {
	if e.buf != nil {
		C.tjFree(e.buf)
		e.buf = nil
	}
	if e.h != nil {
		C.tjDestroy(e.h)
		e.h = nil
	}
}

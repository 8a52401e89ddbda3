//go:build cgo

package yuv

/*
#cgo LDFLAGS: -lyuv
#include <libyuv/convert_from_argb.h>
#include <libyuv/convert_argb.h>
*/
import "C"

import (
	"fmt"
	"image"
	"unsafe"
)

// FromBGRX converts src, rows of 4-byte pixels B,G,R,X (what an X server at
// depth 24 returns; libyuv calls it ARGB) that start stride bytes apart, into dst.
// dst must already have the size of the image; the fourth byte is ignored.
// It panics if src is too short for dst's size.
func FromBGRX(dst *I420, src []byte, stride int) {
	w, h := dst.Width, dst.Height
	if w <= 0 || h <= 0 {
		return
	}
	if stride < 4*w || len(src) < stride*(h-1)+4*w {
		panic(fmt.Sprintf("yuv: FromBGRX: %d bytes at stride %d cannot hold a %dx%d picture", len(src), stride, w, h))
	}
	dst.check("FromBGRX")
	C.ARGBToI420(
		(*C.uint8_t)(unsafe.Pointer(&src[0])), C.int(stride),
		(*C.uint8_t)(unsafe.Pointer(&dst.Y[0])), C.int(dst.YStride),
		(*C.uint8_t)(unsafe.Pointer(&dst.U[0])), C.int(dst.CStride),
		(*C.uint8_t)(unsafe.Pointer(&dst.V[0])), C.int(dst.CStride),
		C.int(w), C.int(h))
}

// ToRGBA converts p into dst as R,G,B,A bytes with alpha 255. It converts the
// part both have in common: the top-left min(widths)×min(heights) pixels of
// dst's bounds.
func (p *I420) ToRGBA(dst *image.RGBA) {
	w := min(p.Width, dst.Rect.Dx())
	h := min(p.Height, dst.Rect.Dy())
	if w <= 0 || h <= 0 {
		return
	}
	p.check("ToRGBA")
	if dst.Stride < 4*w || len(dst.Pix) < dst.Stride*(h-1)+4*w {
		panic(fmt.Sprintf("yuv: ToRGBA: %d bytes at stride %d cannot hold a %dx%d picture", len(dst.Pix), dst.Stride, w, h))
	}
	// libyuv's ABGR is a little-endian word: bytes R,G,B,A in memory.
	C.I420ToABGR(
		(*C.uint8_t)(unsafe.Pointer(&p.Y[0])), C.int(p.YStride),
		(*C.uint8_t)(unsafe.Pointer(&p.U[0])), C.int(p.CStride),
		(*C.uint8_t)(unsafe.Pointer(&p.V[0])), C.int(p.CStride),
		(*C.uint8_t)(unsafe.Pointer(&dst.Pix[0])), C.int(dst.Stride),
		C.int(w), C.int(h))
}

// ToBGRA converts part r of p (even corners, inside p) into dst, rows of
// B,G,R,A bytes stride apart that hold p's whole size, at r's place; alpha
// is 255. It panics if r or dst do not fit.
func (p *I420) ToBGRA(dst []byte, stride int, r image.Rectangle) {
	if r.Empty() {
		return
	}
	part := p.Sub(r) // checks r
	if stride < 4*p.Width || len(dst) < stride*(p.Height-1)+4*p.Width {
		panic(fmt.Sprintf("yuv: ToBGRA: %d bytes at stride %d cannot hold a %dx%d picture", len(dst), stride, p.Width, p.Height))
	}
	p.check("ToBGRA")
	// libyuv's ARGB is a little-endian word: bytes B,G,R,A in memory.
	C.I420ToARGB(
		(*C.uint8_t)(unsafe.Pointer(&part.Y[0])), C.int(part.YStride),
		(*C.uint8_t)(unsafe.Pointer(&part.U[0])), C.int(part.CStride),
		(*C.uint8_t)(unsafe.Pointer(&part.V[0])), C.int(part.CStride),
		(*C.uint8_t)(unsafe.Pointer(&dst[r.Min.Y*stride+4*r.Min.X])), C.int(stride),
		C.int(r.Dx()), C.int(r.Dy()))
}

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

//go:build cgo

package decode

/*
#cgo pkg-config: vpx
#include <stdlib.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vp8dx.h>

static vpx_codec_err_t dream_vp8dec_init(vpx_codec_ctx_t *ctx, int threads) {
	vpx_codec_dec_cfg_t cfg = {0};
	cfg.threads = threads;
	return vpx_codec_dec_init(ctx, vpx_codec_vp8_dx(), &cfg, 0);
}

// dream_vp8dec_decode decodes one frame and returns the picture it gave, if any.
static vpx_codec_err_t dream_vp8dec_decode(vpx_codec_ctx_t *ctx, const unsigned char *data,
		unsigned int size, vpx_image_t **img) {
	*img = NULL;
	vpx_codec_err_t err = vpx_codec_decode(ctx, data, size, NULL, 0);
	if (err != VPX_CODEC_OK) return err;
	vpx_codec_iter_t iter = NULL;
	*img = vpx_codec_get_frame(ctx, &iter);
	return VPX_CODEC_OK;
}
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"dream/internal/yuv"
)

// VP8 is a libvpx VP8 decoder.
type VP8 struct {
	ctx  *C.vpx_codec_ctx_t
	pic  yuv.I420
	open bool
}

var _ Decoder = (*VP8)(nil)

// NewVP8 returns a VP8 decoder.
func NewVP8() (*VP8, error) {
	ctx := (*C.vpx_codec_ctx_t)(C.calloc(1, C.sizeof_vpx_codec_ctx_t))
	if rc := C.dream_vp8dec_init(ctx, 1); rc != C.VPX_CODEC_OK {
		C.free(unsafe.Pointer(ctx))
		return nil, fmt.Errorf("decode: vp8: libvpx cannot start a decoder: %s", C.GoString(C.vpx_codec_err_to_string(rc)))
	}
	return &VP8{ctx: ctx, open: true}, nil
}

// Decode decodes one VP8 frame.
func (d *VP8) Decode(au []byte) (*yuv.I420, error) {
	if !d.open {
		return nil, fmt.Errorf("decode: vp8: %w", ErrClosed)
	}
	if len(au) == 0 {
		return nil, fmt.Errorf("decode: vp8: empty access unit: %w", ErrCorrupt)
	}
	if w, h, ok := vp8KeyframeSize(au); ok && (w == 0 || h == 0 || w*h > maxPixels) {
		return nil, fmt.Errorf("decode: vp8: keyframe announces %dx%d, over the %d-pixel limit: %w", w, h, maxPixels, ErrCorrupt)
	}
	var img *C.vpx_image_t
	rc := C.dream_vp8dec_decode(d.ctx, (*C.uchar)(unsafe.Pointer(&au[0])), C.uint(len(au)), &img)
	if rc != C.VPX_CODEC_OK {
		msg := C.GoString(C.vpx_codec_error(d.ctx))
		if det := C.vpx_codec_error_detail(d.ctx); det != nil {
			msg += ": " + C.GoString(det)
		}
		return nil, fmt.Errorf("decode: vp8: %d-byte frame: %s: %w", len(au), msg, ErrCorrupt)
	}
	if img == nil {
		return nil, nil
	}
	if img.fmt != C.VPX_IMG_FMT_I420 {
		return nil, fmt.Errorf("decode: vp8: picture format %#x is not I420: %w", int(img.fmt), ErrCorrupt)
	}
	return wrap(&d.pic, int(img.d_w), int(img.d_h),
		(*byte)(img.planes[0]), (*byte)(img.planes[1]), (*byte)(img.planes[2]),
		int(img.stride[0]), int(img.stride[1])), nil
}

// vp8KeyframeSize reads the picture size from a VP8 keyframe header
// (RFC 6386 section 9.1); ok is false for an inter frame or a short one.
func vp8KeyframeSize(b []byte) (w, h int, ok bool) {
	if len(b) < 10 || b[0]&1 != 0 || b[3] != 0x9d || b[4] != 0x01 || b[5] != 0x2a {
		return 0, 0, false
	}
	return int(binary.LittleEndian.Uint16(b[6:]) & 0x3fff), int(binary.LittleEndian.Uint16(b[8:]) & 0x3fff), true
}

// Close frees the decoder and its pictures.
func (d *VP8) Close() error {
	if !d.open {
		return nil
	}
	d.open = false
	C.vpx_codec_destroy(d.ctx)
	C.free(unsafe.Pointer(d.ctx))
	d.ctx = nil
	d.pic = yuv.I420{}
	return nil
}

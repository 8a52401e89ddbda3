//go:build cgo

package encode

/*
#cgo pkg-config: vpx
#include <stdlib.h>
#include <string.h>
#include <vpx/vpx_encoder.h>
#include <vpx/vp8cx.h>

// dream_vp8enc is a libvpx VP8 encoder and the frame it produced last.
typedef struct {
	vpx_codec_ctx_t ctx;
	const void *buf; // the last frame, owned by libvpx until the next encode
	size_t size;
	int key;
} dream_vp8enc;

static vpx_codec_err_t dream_vp8enc_init(dream_vp8enc *e, int w, int h,
		int kbps, int threads, int cpuused) {
	vpx_codec_enc_cfg_t cfg;
	vpx_codec_err_t err = vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &cfg, 0);
	if (err != VPX_CODEC_OK) return err;
	cfg.g_w = w;
	cfg.g_h = h;
	cfg.g_timebase.num = 1;
	cfg.g_timebase.den = 1000; // milliseconds of wall time: see clock
	cfg.g_threads = threads;
	cfg.g_pass = VPX_RC_ONE_PASS;
	cfg.g_lag_in_frames = 0;
	cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
	cfg.rc_end_usage = VPX_CBR;
	cfg.rc_target_bitrate = kbps;
	cfg.rc_dropframe_thresh = 0; // damage-driven: the last change must be encoded
	cfg.rc_resize_allowed = 0;
	cfg.rc_min_quantizer = 2;
	cfg.rc_max_quantizer = 56;
	cfg.rc_undershoot_pct = 100;
	cfg.rc_overshoot_pct = 15;
	cfg.rc_buf_initial_sz = 500;
	cfg.rc_buf_optimal_sz = 600;
	cfg.rc_buf_sz = 1000;
	cfg.kf_mode = VPX_KF_DISABLED; // keyframes only when forced
	err = vpx_codec_enc_init(&e->ctx, vpx_codec_vp8_cx(), &cfg, 0);
	if (err != VPX_CODEC_OK) return err;
	int parts = threads >= 4 ? VP8_FOUR_TOKENPARTITION :
		threads >= 2 ? VP8_TWO_TOKENPARTITION : VP8_ONE_TOKENPARTITION;
	if ((err = vpx_codec_control(&e->ctx, VP8E_SET_CPUUSED, cpuused)) ||
	    (err = vpx_codec_control(&e->ctx, VP8E_SET_SCREEN_CONTENT_MODE, 1)) ||
	    (err = vpx_codec_control(&e->ctx, VP8E_SET_TOKEN_PARTITIONS, parts)) ||
	    (err = vpx_codec_control(&e->ctx, VP8E_SET_NOISE_SENSITIVITY, 0)) ||
	    (err = vpx_codec_control(&e->ctx, VP8E_SET_STATIC_THRESHOLD, 1))) {
		vpx_codec_destroy(&e->ctx);
		return err;
	}
	return VPX_CODEC_OK;
}

// dream_vp8enc_encode encodes one picture whose planes stay the caller's: VP8
// copies the source before returning (no lookahead).
static vpx_codec_err_t dream_vp8enc_encode(dream_vp8enc *e, int w, int h,
		unsigned char *y, int ystride, unsigned char *u, unsigned char *v, int cstride,
		long long pts, unsigned long duration, int key) {
	vpx_image_t img;
	if (!vpx_img_wrap(&img, VPX_IMG_FMT_I420, w, h, 1, y)) return VPX_CODEC_INVALID_PARAM;
	img.planes[VPX_PLANE_Y] = y;
	img.planes[VPX_PLANE_U] = u;
	img.planes[VPX_PLANE_V] = v;
	img.stride[VPX_PLANE_Y] = ystride;
	img.stride[VPX_PLANE_U] = cstride;
	img.stride[VPX_PLANE_V] = cstride;
	e->buf = NULL;
	e->size = 0;
	e->key = 0;
	vpx_codec_err_t err = vpx_codec_encode(&e->ctx, &img, pts, duration,
		key ? VPX_EFLAG_FORCE_KF : 0, VPX_DL_REALTIME);
	if (err != VPX_CODEC_OK) return err;
	vpx_codec_iter_t iter = NULL;
	const vpx_codec_cx_pkt_t *pkt;
	while ((pkt = vpx_codec_get_cx_data(&e->ctx, &iter)) != NULL) {
		if (pkt->kind == VPX_CODEC_CX_FRAME_PKT && e->buf == NULL) {
			e->buf = pkt->data.frame.buf;
			e->size = pkt->data.frame.sz;
			e->key = (pkt->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
		}
	}
	return VPX_CODEC_OK;
}
*/
import "C"

import (
	"fmt"
	"unsafe"

	"dream/internal/yuv"
)

// vp8CPUUsed trades quality for speed in libvpx's realtime mode (-16…16; a
// larger magnitude is faster). Measured at 1920x1080 on 2 cores, typing on a
// desktop: -4 40 ms, -6 14 ms, -8 11 ms, -12 11 ms with bigger frames, -16
// 10 ms with twice the bytes; PSNR the same within 0.5 dB.
const vp8CPUUsed = -8

// VP8 is a realtime VP8 encoder (libvpx): CBR, no lookahead, screen-content
// mode, error resilient, keyframes only when forced.
type VP8 struct {
	cfg  Config
	enc  *C.dream_vp8enc
	n    int64 // pictures encoded
	clk  clock
	buf  []byte
	open bool
}

var _ Encoder = (*VP8)(nil)

// NewVP8 returns a VP8 encoder for cfg (its Codec field is ignored).
func NewVP8(cfg Config) (*VP8, error) {
	cfg, err := cfg.withDefaults(CodecVP8)
	if err != nil {
		return nil, err
	}
	cfg.Codec = CodecVP8
	enc := (*C.dream_vp8enc)(C.calloc(1, C.sizeof_dream_vp8enc))
	if rc := C.dream_vp8enc_init(enc, C.int(cfg.Width), C.int(cfg.Height),
		C.int(cfg.BitrateKbps), C.int(cfg.Threads), vp8CPUUsed); rc != C.VPX_CODEC_OK {
		C.free(unsafe.Pointer(enc))
		return nil, fmt.Errorf("encode: vp8 %dx%d at %d kbps, %d threads: libvpx cannot start an encoder: %s",
			cfg.Width, cfg.Height, cfg.BitrateKbps, cfg.Threads, C.GoString(C.vpx_codec_err_to_string(rc)))
	}
	return &VP8{cfg: cfg, enc: enc, open: true}, nil
}

// Encode encodes pic, which must have the configured size. The first picture
// and those with keyframe set become keyframes.
func (e *VP8) Encode(pic *yuv.I420, keyframe bool) (Frame, error) {
	if err := checkPicture(e.cfg, pic, e.open); err != nil {
		return Frame{}, err
	}
	key := 0
	if keyframe || e.n == 0 {
		key = 1
	}
	pts, dur := e.clk.tick(e.cfg.FPS)
	rc := C.dream_vp8enc_encode(e.enc, C.int(pic.Width), C.int(pic.Height),
		(*C.uchar)(unsafe.Pointer(&pic.Y[0])), C.int(pic.YStride),
		(*C.uchar)(unsafe.Pointer(&pic.U[0])), (*C.uchar)(unsafe.Pointer(&pic.V[0])), C.int(pic.CStride),
		C.longlong(pts), C.ulong(dur), C.int(key))
	if rc != C.VPX_CODEC_OK {
		msg := C.GoString(C.vpx_codec_error(&e.enc.ctx))
		if d := C.vpx_codec_error_detail(&e.enc.ctx); d != nil {
			msg += ": " + C.GoString(d)
		}
		return Frame{}, fmt.Errorf("encode: vp8 %dx%d frame %d: %s", e.cfg.Width, e.cfg.Height, e.n, msg)
	}
	e.n++
	if e.enc.buf == nil {
		return Frame{}, fmt.Errorf("encode: vp8 %dx%d frame %d: libvpx produced no frame", e.cfg.Width, e.cfg.Height, e.n-1)
	}
	e.buf = append(e.buf[:0], unsafe.Slice((*byte)(e.enc.buf), int(e.enc.size))...)
	return Frame{Data: e.buf, Key: e.enc.key != 0}, nil
}

// Close frees the encoder. Further calls to Encode return an error.
func (e *VP8) Close() error {
	if !e.open {
		return nil
	}
	e.open = false
	C.vpx_codec_destroy(&e.enc.ctx)
	C.free(unsafe.Pointer(e.enc))
	e.enc = nil
	return nil
}

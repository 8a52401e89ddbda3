//go:build cgo

package encode

/*
#cgo LDFLAGS: -lopenh264
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wels/codec_api.h>

// dream_h264enc is an openh264 encoder and the access unit it produced last.
typedef struct {
	ISVCEncoder *enc;
	SFrameBSInfo info;
} dream_h264enc;

// dream_h264enc_init returns 0 or openh264's error code; step names the call
// that failed.
static int dream_h264enc_init(dream_h264enc *e, int w, int h, int fps, int kbps,
		int threads, int slices, const char **step) {
	*step = "WelsCreateSVCEncoder";
	int rc = WelsCreateSVCEncoder(&e->enc);
	if (rc != 0 || e->enc == NULL) return rc ? rc : -1;
	ISVCEncoder *enc = e->enc;
	int quiet = WELS_LOG_QUIET;
	(*enc)->SetOption(enc, ENCODER_OPTION_TRACE_LEVEL, &quiet);

	SEncParamExt p;
	*step = "GetDefaultParams";
	if ((rc = (*enc)->GetDefaultParams(enc, &p)) != 0) return rc;
	p.iUsageType = CAMERA_VIDEO_REAL_TIME; // 4x faster than SCREEN_CONTENT_REAL_TIME
	p.iPicWidth = w;
	p.iPicHeight = h;
	p.iTargetBitrate = kbps * 1000;
	p.iMaxBitrate = UNSPECIFIED_BIT_RATE;
	p.iRCMode = RC_BITRATE_MODE;
	p.fMaxFrameRate = fps;
	p.iTemporalLayerNum = 1;
	p.iSpatialLayerNum = 1;
	p.iComplexityMode = LOW_COMPLEXITY;
	p.uiIntraPeriod = 0;            // keyframes only when forced
	p.iNumRefFrame = 1;
	p.eSpsPpsIdStrategy = CONSTANT_ID;
	p.bPrefixNalAddingCtrl = false;
	p.bEnableSSEI = false;
	p.iEntropyCodingModeFlag = 0;   // CAVLC: Constrained Baseline
	p.bEnableFrameSkip = false;     // damage-driven: the last change must be encoded
	p.iMinQp = 12;
	p.iMaxQp = 38;            // a quality floor for text: P frames do not refine a coarse IDR
	p.bEnableLongTermReference = false;
	p.iMultipleThreadIdc = threads;
	p.bUseLoadBalancing = false;
	p.bEnableDenoise = false;
	p.bEnableBackgroundDetection = false;
	p.bEnableAdaptiveQuant = false;
	p.bEnableSceneChangeDetect = false; // it would insert unasked IDRs
	p.bEnableFrameCroppingFlag = true;

	SSpatialLayerConfig *l = &p.sSpatialLayers[0];
	l->iVideoWidth = w;
	l->iVideoHeight = h;
	l->fFrameRate = fps;
	l->iSpatialBitrate = p.iTargetBitrate;
	l->iMaxSpatialBitrate = UNSPECIFIED_BIT_RATE;
	l->uiProfileIdc = PRO_BASELINE;
	// Say how the pixels were converted (BT.601, limited range, as
	// internal/yuv does): a decoder that assumes BT.709 (browsers do for
	// streams that do not say) shifts the colours.
	l->bVideoSignalTypePresent = true;
	l->uiVideoFormat = VF_UNDEF;
	l->bFullRange = false;
	l->bColorDescriptionPresent = true;
	l->uiColorPrimaries = CP_SMPTE170M;
	l->uiTransferCharacteristics = TRC_SMPTE170M;
	l->uiColorMatrix = CM_SMPTE170M;
	l->uiLevelIdc = LEVEL_UNKNOWN;
	if (slices > 1) {
		l->sSliceArgument.uiSliceMode = SM_FIXEDSLCNUM_SLICE;
		l->sSliceArgument.uiSliceNum = slices;
	} else {
		l->sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
		l->sSliceArgument.uiSliceNum = 1;
	}

	*step = "InitializeExt";
	if ((rc = (*enc)->InitializeExt(enc, &p)) != 0) return rc;
	int format = videoFormatI420;
	*step = "SetOption(ENCODER_OPTION_DATAFORMAT)";
	if ((rc = (*enc)->SetOption(enc, ENCODER_OPTION_DATAFORMAT, &format)) != 0) return rc;
	return 0;
}

static void dream_h264enc_free(dream_h264enc *e) {
	if (e->enc != NULL) {
		(*e->enc)->Uninitialize(e->enc);
		WelsDestroySVCEncoder(e->enc);
	}
	free(e);
}

// dream_h264enc_encode encodes one picture whose planes stay the caller's and
// returns 0 or openh264's error code. The C vtable declares ForceIntraFrame
// without the C++ default argument iLayerId; pass -1 (all layers) explicitly.
static int dream_h264enc_encode(dream_h264enc *e, int w, int h,
		unsigned char *y, int ystride, unsigned char *u, unsigned char *v, int cstride,
		long long ms, int key) {
	ISVCEncoder *enc = e->enc;
	if (key) {
		int (*force)(ISVCEncoder*, bool, int) = (int (*)(ISVCEncoder*, bool, int))(*enc)->ForceIntraFrame;
		force(enc, true, -1);
	}
	SSourcePicture pic;
	memset(&pic, 0, sizeof pic);
	pic.iColorFormat = videoFormatI420;
	pic.iPicWidth = w;
	pic.iPicHeight = h;
	pic.pData[0] = y;
	pic.pData[1] = u;
	pic.pData[2] = v;
	pic.iStride[0] = ystride;
	pic.iStride[1] = cstride;
	pic.iStride[2] = cstride;
	pic.uiTimeStamp = ms;
	memset(&e->info, 0, sizeof e->info);
	return (*enc)->EncodeFrame(enc, &pic, &e->info);
}

// dream_h264enc_size returns the bytes of all NAL units of the last access unit.
static size_t dream_h264enc_size(dream_h264enc *e) {
	size_t n = 0;
	for (int i = 0; i < e->info.iLayerNum; i++) {
		SLayerBSInfo *l = &e->info.sLayerInfo[i];
		for (int j = 0; j < l->iNalCount; j++) n += l->pNalLengthInByte[j];
	}
	return n;
}

// dream_h264enc_copy concatenates the last access unit's layers into dst,
// which has room for dream_h264enc_size bytes.
static void dream_h264enc_copy(dream_h264enc *e, unsigned char *dst) {
	for (int i = 0; i < e->info.iLayerNum; i++) {
		SLayerBSInfo *l = &e->info.sLayerInfo[i];
		size_t n = 0;
		for (int j = 0; j < l->iNalCount; j++) n += l->pNalLengthInByte[j];
		memcpy(dst, l->pBsBuf, n);
		dst += n;
	}
}
*/
import "C"

import (
	"fmt"
	"unsafe"

	"dream/internal/yuv"
)

// h264SlicePerThread cuts each picture into one slice per thread, so that
// threads share the work of a keyframe. Measured at 1920x1080 on 2 cores: a
// keyframe takes 18 ms with two slices against 31 ms with one; inter frames
// about the same.
const h264SlicePerThread = true

// H264 is a realtime H.264 Constrained Baseline encoder (openh264) producing
// Annex-B access units, SPS and PPS before every IDR, keyframes only when
// forced, no frame skipping.
type H264 struct {
	cfg  Config
	enc  *C.dream_h264enc
	n    int64 // pictures encoded
	clk  clock
	buf  []byte
	open bool
}

var _ Encoder = (*H264)(nil)

// NewH264 returns an H.264 encoder for cfg (its Codec field is ignored). The
// size must be even.
func NewH264(cfg Config) (*H264, error) {
	cfg, err := cfg.withDefaults(CodecH264)
	if err != nil {
		return nil, err
	}
	cfg.Codec = CodecH264
	if cfg.Width%2 != 0 || cfg.Height%2 != 0 {
		return nil, fmt.Errorf("encode: h264 %dx%d: 4:2:0 H.264 needs an even width and height (pad or crop the picture)", cfg.Width, cfg.Height)
	}
	slices := 1
	if h264SlicePerThread {
		slices = cfg.Threads
	}
	enc := (*C.dream_h264enc)(C.calloc(1, C.sizeof_dream_h264enc))
	var step *C.char
	if rc := C.dream_h264enc_init(enc, C.int(cfg.Width), C.int(cfg.Height), C.int(cfg.FPS),
		C.int(cfg.BitrateKbps), C.int(cfg.Threads), C.int(slices), &step); rc != 0 {
		C.dream_h264enc_free(enc)
		return nil, fmt.Errorf("encode: h264 %dx%d at %d kbps, %d threads: openh264 %s failed with code %d (check the size against H.264 level limits)",
			cfg.Width, cfg.Height, cfg.BitrateKbps, cfg.Threads, C.GoString(step), int(rc))
	}
	return &H264{cfg: cfg, enc: enc, open: true}, nil
}

// Encode encodes pic, which must have the configured size. The first picture
// and those with keyframe set become IDR access units.
func (e *H264) Encode(pic *yuv.I420, keyframe bool) (Frame, error) {
	if err := checkPicture(e.cfg, pic, e.open); err != nil {
		return Frame{}, err
	}
	key := 0
	if keyframe {
		key = 1
	}
	ms, _ := e.clk.tick(e.cfg.FPS)
	rc := C.dream_h264enc_encode(e.enc, C.int(pic.Width), C.int(pic.Height),
		(*C.uchar)(unsafe.Pointer(&pic.Y[0])), C.int(pic.YStride),
		(*C.uchar)(unsafe.Pointer(&pic.U[0])), (*C.uchar)(unsafe.Pointer(&pic.V[0])), C.int(pic.CStride),
		C.longlong(ms), C.int(key))
	if rc != 0 {
		return Frame{}, fmt.Errorf("encode: h264 %dx%d frame %d: openh264 EncodeFrame failed with code %d", e.cfg.Width, e.cfg.Height, e.n, int(rc))
	}
	e.n++
	if t := e.enc.info.eFrameType; t == C.videoFrameTypeSkip || t == C.videoFrameTypeInvalid {
		return Frame{}, fmt.Errorf("encode: h264 %dx%d frame %d: openh264 skipped the frame (type %d)", e.cfg.Width, e.cfg.Height, e.n-1, int(t))
	}
	size := int(C.dream_h264enc_size(e.enc))
	if cap(e.buf) < size {
		e.buf = make([]byte, size, size+size/2)
	}
	e.buf = e.buf[:size]
	if size > 0 {
		C.dream_h264enc_copy(e.enc, (*C.uchar)(unsafe.Pointer(&e.buf[0])))
	}
	return Frame{Data: e.buf, Key: e.enc.info.eFrameType == C.videoFrameTypeIDR}, nil
}

// Close frees the encoder. Further calls to Encode return an error.
func (e *H264) Close() error {
	if !e.open {
		return nil
	}
	e.open = false
	C.dream_h264enc_free(e.enc)
	e.enc = nil
	return nil
}

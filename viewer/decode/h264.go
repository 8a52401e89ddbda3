//go:build cgo

package decode

/*
#cgo LDFLAGS: -lopenh264
#include <stdlib.h>
#include <string.h>
#include <wels/codec_api.h>

// dream_h264dec_init returns 0 or openh264's error code.
static long dream_h264dec_init(ISVCDecoder **dec) {
	long rc = WelsCreateDecoder(dec);
	if (rc != 0 || *dec == NULL) return rc ? rc : -1;
	int quiet = WELS_LOG_QUIET;
	(**dec)->SetOption(*dec, DECODER_OPTION_TRACE_LEVEL, &quiet);
	SDecodingParam p;
	memset(&p, 0, sizeof p);
	p.eEcActiveIdc = ERROR_CON_DISABLE; // no concealed garbage: an error instead
	p.bParseOnly = false;
	p.sVideoProperty.eVideoBsType = VIDEO_BITSTREAM_AVC;
	rc = (**dec)->Initialize(*dec, &p);
	if (rc != 0) {
		WelsDestroyDecoder(*dec);
		*dec = NULL;
	}
	return rc;
}

static void dream_h264dec_free(ISVCDecoder *dec) {
	(*dec)->Uninitialize(dec);
	WelsDestroyDecoder(dec);
}

// dream_h264dec_decode decodes one Annex-B access unit; info->iBufferStatus is
// 1 when planes holds a picture.
static int dream_h264dec_decode(ISVCDecoder *dec, const unsigned char *data, int size,
		unsigned char **planes, SBufferInfo *info) {
	memset(info, 0, sizeof *info);
	planes[0] = planes[1] = planes[2] = NULL;
	return (*dec)->DecodeFrameNoDelay(dec, data, size, planes, info);
}
*/
import "C"

import (
	"fmt"
	"strings"
	"unsafe"

	"dream/internal/yuv"
)

// H264 is an openh264 decoder for Annex-B H.264 (Constrained Baseline and
// other profiles without B-frames come out without delay).
type H264 struct {
	dec    *C.ISVCDecoder
	planes *[3]*C.uchar   // C memory: openh264 writes the plane pointers here
	info   *C.SBufferInfo // C memory
	pic    yuv.I420
	open   bool
}

var _ Decoder = (*H264)(nil)

// NewH264 returns an H.264 decoder.
func NewH264() (*H264, error) {
	var dec *C.ISVCDecoder
	if rc := C.dream_h264dec_init(&dec); rc != 0 {
		return nil, fmt.Errorf("decode: h264: openh264 cannot start a decoder (code %d)", int(rc))
	}
	return &H264{
		dec:    dec,
		planes: (*[3]*C.uchar)(C.calloc(3, C.size_t(unsafe.Sizeof((*C.uchar)(nil))))),
		info:   (*C.SBufferInfo)(C.calloc(1, C.sizeof_SBufferInfo)),
		open:   true,
	}, nil
}

// Decode decodes one Annex-B access unit. After a corrupt unit the decoder
// starts afresh: decoding resumes at the next IDR access unit.
func (d *H264) Decode(au []byte) (*yuv.I420, error) {
	if !d.open {
		return nil, fmt.Errorf("decode: h264: %w", ErrClosed)
	}
	if len(au) == 0 {
		return nil, fmt.Errorf("decode: h264: empty access unit: %w", ErrCorrupt)
	}
	rc := C.dream_h264dec_decode(d.dec, (*C.uchar)(unsafe.Pointer(&au[0])), C.int(len(au)), &d.planes[0], d.info)
	if rc != C.dsErrorFree {
		return nil, d.fail(fmt.Errorf("decode: h264: %d-byte access unit: %s: %w", len(au), h264State(int(rc)), ErrCorrupt))
	}
	if d.info.iBufferStatus != 1 {
		if expectsPicture(au) {
			// openh264 waits for the rest of a picture whose slices are
			// missing, and would blame the next access unit for them.
			return nil, d.fail(fmt.Errorf("decode: h264: %d-byte access unit holds an incomplete picture: %w", len(au), ErrCorrupt))
		}
		return nil, nil // parameter sets or SEI only
	}
	buf := (*C.SSysMEMBuffer)(unsafe.Pointer(&d.info.UsrData))
	w, h := int(buf.iWidth), int(buf.iHeight)
	if w <= 0 || h <= 0 || w*h > maxPixels || d.planes[0] == nil || d.planes[1] == nil || d.planes[2] == nil {
		return nil, d.fail(fmt.Errorf("decode: h264: decoder returned an empty or oversized %dx%d picture: %w", w, h, ErrCorrupt))
	}
	return wrap(&d.pic, w, h,
		(*byte)(d.planes[0]), (*byte)(d.planes[1]), (*byte)(d.planes[2]),
		int(buf.iStride[0]), int(buf.iStride[1])), nil
}

// fail replaces the decoder with a fresh one, so that no half-decoded state
// outlives a corrupt access unit, and returns err.
func (d *H264) fail(err error) error {
	var dec *C.ISVCDecoder
	if rc := C.dream_h264dec_init(&dec); rc != 0 {
		return fmt.Errorf("%w; then openh264 could not restart the decoder (code %d)", err, int(rc))
	}
	C.dream_h264dec_free(d.dec)
	d.dec = dec
	return err
}

// h264State names the bits of an openh264 DECODING_STATE.
func h264State(s int) string {
	names := []struct {
		bit  int
		name string
	}{
		{C.dsFramePending, "frame pending"},
		{C.dsRefLost, "reference frame lost"},
		{C.dsBitstreamError, "bitstream error"},
		{C.dsDepLayerLost, "dependent layer lost"},
		{C.dsNoParamSets, "no SPS/PPS yet"},
		{C.dsDataErrorConcealed, "error concealed"},
		{C.dsRefListNullPtrs, "reference list incomplete"},
		{C.dsInvalidArgument, "invalid argument"},
		{C.dsInitialOptExpected, "decoder not initialised"},
		{C.dsOutOfMemory, "out of memory"},
		{C.dsDstBufNeedExpan, "output buffer too small"},
	}
	var parts []string
	for _, n := range names {
		if s&n.bit != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("state %#x", s)
	}
	return strings.Join(parts, ", ")
}

// Close frees the decoder and its pictures.
func (d *H264) Close() error {
	if !d.open {
		return nil
	}
	d.open = false
	C.dream_h264dec_free(d.dec)
	C.free(unsafe.Pointer(d.planes))
	C.free(unsafe.Pointer(d.info))
	d.dec, d.planes, d.info = nil, nil, nil
	d.pic = yuv.I420{}
	return nil
}

//go:build cgo

package encode_test

import (
	"errors"
	"strings"
	"testing"

	"dream/compositor/encode"
	"dream/internal/yuv/yuvtest"
)

var codecs = []string{encode.CodecH264, encode.CodecVP8}

func TestEncodeKeyframes(t *testing.T) {
	for _, codec := range codecs {
		t.Run(codec, func(t *testing.T) {
			const w, h = 640, 360
			enc, err := encode.New(encode.Config{Codec: codec, Width: w, Height: h})
			if err != nil {
				t.Fatal(err)
			}
			defer enc.Close()
			desk := yuvtest.NewDesktop(w, h)
			pic := desk.I420()

			f, err := enc.Encode(pic, false)
			if err != nil {
				t.Fatal(err)
			}
			if !f.Key || len(f.Data) == 0 {
				t.Fatalf("first frame: Key = %v, %d bytes; want a keyframe", f.Key, len(f.Data))
			}
			keySize := len(f.Data)
			if codec == encode.CodecH264 && !hasStartCode(f.Data) {
				t.Errorf("first h264 frame starts % x; want an Annex-B start code", f.Data[:min(8, len(f.Data))])
			}

			// An unchanged picture: a small inter frame.
			f, err = enc.Encode(pic, false)
			if err != nil {
				t.Fatal(err)
			}
			if f.Key {
				t.Errorf("unchanged frame: Key = true; want false")
			}
			if len(f.Data) == 0 || len(f.Data) > keySize/20 {
				t.Errorf("unchanged frame is %d bytes (keyframe %d); want a few bytes", len(f.Data), keySize)
			}

			// Typing one character: not a keyframe, small.
			desk.Type(0)
			pic = desk.I420()
			f, err = enc.Encode(pic, false)
			if err != nil {
				t.Fatal(err)
			}
			if f.Key || len(f.Data) > keySize/4 {
				t.Errorf("typed frame: Key = %v, %d bytes (keyframe %d); want a small inter frame", f.Key, len(f.Data), keySize)
			}

			// Forced keyframe.
			f, err = enc.Encode(pic, true)
			if err != nil {
				t.Fatal(err)
			}
			if !f.Key {
				t.Errorf("forced keyframe: Key = false; want true")
			}
			if codec == encode.CodecH264 && !hasNAL(f.Data, 7) {
				t.Errorf("forced h264 keyframe has no SPS")
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  encode.Config
		want string
		is   error
	}{
		{"unknown codec", encode.Config{Codec: "mpeg2", Width: 640, Height: 360}, `codec "mpeg2" for 640x360`, encode.ErrUnknownCodec},
		{"zero size h264", encode.Config{Width: 0, Height: 360}, "h264: picture size 0x360", nil},
		{"zero size vp8", encode.Config{Codec: "vp8", Width: 640}, "vp8: picture size 640x0", nil},
		{"odd size h264", encode.Config{Codec: "h264", Width: 641, Height: 360}, "even width and height", nil},
		{"negative fps", encode.Config{Codec: "vp8", Width: 64, Height: 64, FPS: -1}, "negative FPS", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := encode.New(tt.cfg)
			if err == nil {
				enc.Close()
				t.Fatalf("New(%+v) = nil error; want one containing %q", tt.cfg, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%+v) = %q; want it to contain %q", tt.cfg, err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("New(%+v) = %q; want it to wrap %v", tt.cfg, err, tt.is)
			}
		})
	}
}

func TestEncodeWrongSize(t *testing.T) {
	for _, codec := range codecs {
		enc, err := encode.New(encode.Config{Codec: codec, Width: 64, Height: 64})
		if err != nil {
			t.Fatal(err)
		}
		_, err = enc.Encode(yuvtest.NewDesktop(32, 32).I420(), false)
		if err == nil || !strings.Contains(err.Error(), "picture is 32x32") {
			t.Errorf("%s: Encode(32x32) on a 64x64 encoder = %v; want a size error", codec, err)
		}
		enc.Close()
		if _, err := enc.Encode(yuvtest.NewDesktop(64, 64).I420(), false); !errors.Is(err, encode.ErrClosed) {
			t.Errorf("%s: Encode after Close = %v; want ErrClosed", codec, err)
		}
	}
}

func hasStartCode(b []byte) bool {
	return len(b) > 4 && (b[0] == 0 && b[1] == 0 && b[2] == 1 || b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 1)
}

// hasNAL reports whether the Annex-B stream b holds a NAL unit of type typ.
func hasNAL(b []byte, typ byte) bool {
	for i := 0; i+3 < len(b); i++ {
		if b[i] == 0 && b[i+1] == 0 && b[i+2] == 1 && b[i+3]&0x1f == typ {
			return true
		}
	}
	return false
}

// Package decode turns compressed access units back into I420 pictures:
// H.264 (openh264, Annex-B input) and VP8 (libvpx).
//
//	dec, err := decode.New("h264")
//	…
//	defer dec.Close()
//	pic, err := dec.Decode(au) // nil, nil: no picture yet
//
// The decoders never wait for more input: a picture comes out of the call that
// gave its access unit. The returned picture's planes point into the decoder's
// own memory and are valid until the next Decode or Close; the *yuv.I420 itself
// is reused. Bad input gives an error wrapping ErrCorrupt (ask the sender for a
// keyframe), never a crash.
//
// Both backends are thin cgo wrappers (libvpx-dev, libopenh264-dev); built
// without cgo, New returns an error saying so. A decoder is not safe for
// concurrent use.
package decode

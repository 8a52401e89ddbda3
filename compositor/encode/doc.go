// Package encode turns I420 pictures into compressed video, one access unit
// per picture, for the WebRTC codecs browsers play: H.264 Constrained Baseline
// (openh264, Annex-B start codes, SPS and PPS before every IDR) and VP8 (libvpx).
//
//	enc, err := encode.New(encode.Config{Codec: "vp8", Width: 1920, Height: 1080})
//	…
//	defer enc.Close()
//	f, err := enc.Encode(pic, needKeyframe) // f.Data valid until the next Encode
//
// The encoders suit a damage-driven sender: they are tuned for low latency
// (no lookahead, no B-frames), never drop or skip a frame (the last change must
// always reach the screen), and make keyframes only for the first picture and
// when asked. The zero Config works once Width and Height are set.
//
// Both backends are thin cgo wrappers (libvpx-dev, libopenh264-dev); built
// without cgo, New and the constructors return an error saying so. An encoder
// is not safe for concurrent use.
package encode

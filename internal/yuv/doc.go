// Package yuv holds the I420 picture that travels between capture, the encoders
// and the decoders, and the colour conversions around it.
//
// Conversions use libyuv through cgo (link -lyuv; Debian package libyuv-dev) and
// BT.601 limited range both ways:
//
//	pic := yuv.NewI420(w, h)
//	yuv.FromBGRX(pic, xImage, w*4) // X server pixels, bytes B,G,R,X
//	pic.ToRGBA(rgba)               // back to R,G,B,A bytes, alpha 255
//
// PSNR compares two pictures, for tests and benchmarks. Without cgo the
// conversions panic with a message saying what is missing.
package yuv

//go:build !cgo

package yuv

import "image"

const needCgo = "yuv: colour conversion needs cgo and libyuv: build with CGO_ENABLED=1 and install libyuv-dev"

// FromBGRX panics: this build has no cgo, and the conversion needs libyuv.
func FromBGRX(dst *I420, src []byte, stride int) { panic(needCgo) }

// ToRGBA panics: this build has no cgo, and the conversion needs libyuv.
func (p *I420) ToRGBA(dst *image.RGBA) { panic(needCgo) }

// ToBGRA panics: this build has no cgo, and the conversion needs libyuv.
func (p *I420) ToBGRA(dst []byte, stride int, r image.Rectangle) { panic(needCgo) }

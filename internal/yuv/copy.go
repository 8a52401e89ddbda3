package yuv

// Copy copies src into dst and returns dst, allocating a new picture when dst is
// nil or of another size.
func Copy(dst, src *I420) *I420 {
	if dst == nil || dst.Width != src.Width || dst.Height != src.Height {
		dst = NewI420(src.Width, src.Height)
	}
	copyPlane(dst.Y, dst.YStride, src.Y, src.YStride, src.Width, src.Height)
	cw, ch := (src.Width+1)/2, (src.Height+1)/2
	copyPlane(dst.U, dst.CStride, src.U, src.CStride, cw, ch)
	copyPlane(dst.V, dst.CStride, src.V, src.CStride, cw, ch)
	return dst
}

func copyPlane(dst []byte, dstStride int, src []byte, srcStride, w, h int) {
	if dstStride == srcStride && len(src) >= srcStride*h && len(dst) >= dstStride*h {
		copy(dst[:dstStride*h], src[:srcStride*h])
		return
	}
	for y := 0; y < h; y++ {
		copy(dst[y*dstStride:y*dstStride+w], src[y*srcStride:y*srcStride+w])
	}
}

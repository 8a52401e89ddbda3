package yuv

// I420 is a planar 4:2:0 picture in BT.601 limited range: a full-size luma plane
// and two chroma planes of half width and half height (rounded up).
//
// The planes may point into memory owned by a codec (a decoder's output is valid
// only until its next Decode); copy what must outlive that.
type I420 struct {
	Width, Height int
	Y, U, V       []byte
	YStride       int // bytes from one luma row to the next
	CStride       int // bytes from one chroma row to the next (U and V alike)
}

// NewI420 allocates a picture of w×h with tightly packed planes.
func NewI420(w, h int) *I420 {
	cw, ch := (w+1)/2, (h+1)/2
	buf := make([]byte, w*h+2*cw*ch)
	return &I420{
		Width: w, Height: h,
		Y:       buf[: w*h : w*h],
		U:       buf[w*h : w*h+cw*ch : w*h+cw*ch],
		V:       buf[w*h+cw*ch:],
		YStride: w, CStride: cw,
	}
}

package yuv

import (
	"fmt"
	"image"
)

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

// Sub returns a view of the part r of p (in p's pixel coordinates), sharing p's
// memory. r must lie in p and start at even coordinates, so that the chroma
// planes split with it (Even widens a rectangle to that); Sub panics otherwise.
func (p *I420) Sub(r image.Rectangle) I420 {
	if r.Empty() || !r.In(image.Rect(0, 0, p.Width, p.Height)) || r.Min.X%2 != 0 || r.Min.Y%2 != 0 {
		panic(fmt.Sprintf("yuv: Sub(%v) of a %dx%d picture: want a non-empty part starting at even coordinates", r, p.Width, p.Height))
	}
	y := r.Min.Y*p.YStride + r.Min.X
	c := r.Min.Y/2*p.CStride + r.Min.X/2
	return I420{
		Width: r.Dx(), Height: r.Dy(),
		Y: p.Y[y:], U: p.U[c:], V: p.V[c:],
		YStride: p.YStride, CStride: p.CStride,
	}
}

// Even grows r to even corners, the smallest rectangle a chroma-subsampled
// picture can be updated by.
func Even(r image.Rectangle) image.Rectangle {
	return image.Rect(r.Min.X&^1, r.Min.Y&^1, (r.Max.X+1)&^1, (r.Max.Y+1)&^1)
}

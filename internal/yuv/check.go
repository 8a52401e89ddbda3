package yuv

import "fmt"

// Validate reports whether p's planes and strides can hold p.Width×p.Height
// samples, so that C code given the planes never reads or writes past them.
func (p *I420) Validate() error {
	w, h := p.Width, p.Height
	if w <= 0 || h <= 0 {
		return fmt.Errorf("yuv: picture size %dx%d is empty", w, h)
	}
	cw, ch := (w+1)/2, (h+1)/2
	ok := p.YStride >= w && p.CStride >= cw &&
		len(p.Y) >= p.YStride*(h-1)+w &&
		len(p.U) >= p.CStride*(ch-1)+cw &&
		len(p.V) >= p.CStride*(ch-1)+cw
	if !ok {
		return fmt.Errorf("yuv: planes of %d/%d/%d bytes at strides %d/%d cannot hold a %dx%d picture",
			len(p.Y), len(p.U), len(p.V), p.YStride, p.CStride, w, h)
	}
	return nil
}

// check panics with op's name if p is not valid.
func (p *I420) check(op string) {
	if err := p.Validate(); err != nil {
		panic(op + ": " + err.Error())
	}
}

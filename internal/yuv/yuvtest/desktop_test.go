package yuvtest_test

import (
	"bytes"
	"testing"

	"dream/internal/yuv/yuvtest"
)

func TestTypeChangesSmallRegion(t *testing.T) {
	d := yuvtest.NewDesktop(640, 360)
	for n := range 5 {
		before := bytes.Clone(d.Pix)
		r := d.Type(n)
		if r.Dx()*r.Dy() > 640*360/100 {
			t.Errorf("Type(%d) changed %v; want a small region", n, r)
		}
		if bytes.Equal(before, d.Pix) {
			t.Errorf("Type(%d) changed no pixel", n)
		}
	}
}

package bench

import (
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"dream/compositor/encode"
	"dream/internal/yuv"
	"dream/internal/yuv/yuvtest"
)

func TestTuneTmp(t *testing.T) {
	if os.Getenv("TUNE") == "" {
		t.Skip()
	}
	type cfg struct{ codec string; threads int }
	cfgs := []cfg{{"vp8", 1}, {"vp8", 2}, {"h264", 1}, {"h264", 2}}
	res := map[cfg][]float64{}
	for round := 0; round < 3; round++ {
		for _, c := range cfgs {
			enc, err := encode.New(encode.Config{Codec: c.codec, Width: width, Height: height, Threads: c.threads})
			if err != nil { t.Fatal(err) }
			desk := yuvtest.NewDesktop(width, height)
			pic := desk.I420()
			enc.Encode(pic, true)
			for i := range 15 {
				desk.Type(i)
				yuv.FromBGRX(pic, desk.Pix, desk.Stride)
				t0 := time.Now()
				enc.Encode(pic, false)
				res[c] = append(res[c], float64(time.Since(t0).Microseconds())/1000)
			}
			t0 := time.Now()
			enc.Encode(pic, true)
			res[cfg{c.codec + "-key", c.threads}] = append(res[cfg{c.codec + "-key", c.threads}], float64(time.Since(t0).Microseconds())/1000)
			enc.Close()
		}
	}
	for k, v := range res {
		sort.Float64s(v)
		fmt.Printf("%s threads=%d: min %.2f p50 %.2f p90 %.2f\n", k.codec, k.threads, v[0], v[len(v)/2], v[len(v)*9/10])
	}
}

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
	"dream/viewer/decode"
)

func TestTuneTmp(t *testing.T) {
	if os.Getenv("TUNE") == "" {
		t.Skip()
	}
	type cfg struct{ codec string; threads int }
	cfgs := []cfg{{os.Getenv("CODEC"), 1}, {os.Getenv("CODEC"), 2}}
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
			dec, _ := decode.New(c.codec)
			f, _ := enc.Encode(pic, true)
			dec.Decode(f.Data)
			for i := range 10 {
				desk.Type(i + 50)
				yuv.FromBGRX(pic, desk.Pix, desk.Stride)
				f, _ = enc.Encode(pic, false)
				got, _ := dec.Decode(f.Data)
				if i == 9 && round == 0 {
					fmt.Printf("%s threads=%d PSNR after 10: %.2f, last %d bytes\n", c.codec, c.threads, yuv.PSNR(pic, got), len(f.Data))
				}
			}
			dec.Close()
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

package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"

	"dream/compositor/web"
	"dream/internal/patch"
	"dream/internal/patch/patchtest"
	"dream/internal/turbojpeg"
)

// page opens an empty page of the viewer's origin in Debian's Chromium,
// headless, where compose.js can be imported.
func page(t testing.TB) context.Context {
	t.Helper()
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Fatal("chromium is not installed: run scripts/setup")
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", web.Handler())
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<!doctype html><title>decode</title>") })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("chromium"), chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if _, err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return ctx
}

// blocks codes s as the compositor does (256x256 blocks, each prefixed with
// its length and encoding here).
func blocks(t testing.TB, s patchtest.Sample, lossy bool) []byte {
	enc, err := patch.NewEncoder()
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	var out []byte
	for y := 0; y < s.H; y += 256 {
		for x := 0; x < s.W; x += 256 {
			at := len(out)
			out = append(out, 0, 0, 0, 0, 0)
			e, o, err := enc.Encode(out, s.Pix[4*(y*s.W+x):], 4*s.W, min(256, s.W-x), min(256, s.H-y), lossy)
			if err != nil {
				t.Fatal(err)
			}
			out = o
			n := len(out) - at - 5
			out[at], out[at+1], out[at+2], out[at+3], out[at+4] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n), e
		}
	}
	return out
}

// decodeJS decodes data (kind "blocks", or "png" and "jpeg" for the
// browser's own decoders) of a w×h picture runs times in the page, and
// returns the milliseconds one decode took and the picture's RGBA pixels
// (when pixels is set).
const decodeJS = `(async (kind, b64, w, h, runs, pixels) => {
  const m = await import("/static/compose.js");
  const c = document.createElement("canvas");
  c.width = w; c.height = h;
  const ctx = c.getContext("2d", { alpha: false, willReadFrequently: pixels });
  const buf = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  const once = async () => {
    if (kind !== "blocks") {
      const bmp = await createImageBitmap(new Blob([buf], { type: "image/" + kind }));
      ctx.drawImage(bmp, 0, 0);
      bmp.close();
      return;
    }
    let o = 0;
    for (let y = 0; y < h; y += 256) for (let x = 0; x < w; x += 256) {
      const n = (buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3];
      const later = m.drawPatch(ctx, buf[o + 4], buf.subarray(o + 5, o + 5 + n), x, y, Math.min(256, w - x), Math.min(256, h - y));
      if (later) await later;
      o += 5 + n;
    }
  };
  await once(); // warm up
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await once();
  ctx.getImageData(0, 0, 1, 1); // drawn
  const ms = (performance.now() - t0) / runs;
  let px = "";
  if (pixels) {
    const d = ctx.getImageData(0, 0, w, h).data;
    let s = "";
    for (let i = 0; i < d.length; i += 8192) s += String.fromCharCode.apply(null, d.subarray(i, i + 8192));
    px = btoa(s);
  }
  return { ms, px };
})`

type decoded struct {
	MS float64 `json:"ms"`
	Px string  `json:"px"`
}

func decodeInPage(t testing.TB, ctx context.Context, kind string, data []byte, w, h, runs int, pixels bool) decoded {
	t.Helper()
	expr := fmt.Sprintf("%s(%q, %q, %d, %d, %d, %t)", decodeJS, kind, base64.StdEncoding.EncodeToString(data), w, h, runs, pixels)
	d, err := chromedp.Run(ctx, chromedp.Evaluate[decoded](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("decode %s in the page: %v", kind, err)
	}
	return d
}

// TestPageDecodesExactly: the page's decoder gives real screens back, pixel
// for pixel, from the patch lane's exact coding.
func TestPageDecodesExactly(t *testing.T) {
	ctx := page(t)
	for _, s := range patchtest.Samples(t) {
		d := decodeInPage(t, ctx, "blocks", blocks(t, s, false), s.W, s.H, 0, true)
		px, err := base64.StdEncoding.DecodeString(d.Px)
		if err != nil || len(px) != 4*s.W*s.H {
			t.Fatalf("%s: %d bytes of pixels back (%v); want %d", s.Name, len(px), err, 4*s.W*s.H)
		}
		for i := 0; i < len(px); i += 4 {
			if px[i] != s.Pix[i+2] || px[i+1] != s.Pix[i+1] || px[i+2] != s.Pix[i] {
				t.Fatalf("%s: pixel %d = %v; want R,G,B %v", s.Name, i/4, px[i:i+3], []byte{s.Pix[i+2], s.Pix[i+1], s.Pix[i]})
			}
		}
	}
}

// BenchmarkPageDecode measures what the page spends to decode and draw each
// sample: the patch lane's coding (exact, and with JPEG first), and the
// browser's own PNG and JPEG (quality 90, 4:4:4) decoders for comparison.
// ms/decode is the page's own clock, the best of b.N runs of 5.
func BenchmarkPageDecode(b *testing.B) {
	ctx := page(b)
	jenc, err := turbojpeg.NewEncoder()
	if err != nil {
		b.Fatal(err)
	}
	defer jenc.Close()
	for _, s := range patchtest.Samples(b) {
		img := image.NewRGBA(image.Rect(0, 0, s.W, s.H))
		for i := 0; i < len(s.Pix); i += 4 {
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = s.Pix[i+2], s.Pix[i+1], s.Pix[i], 255
		}
		var pngData bytes.Buffer
		(&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&pngData, img)
		jpegData, err := jenc.EncodeBGRX(nil, s.Pix, s.W, s.H, 4*s.W, 90)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name, kind string
			data       []byte
		}{
			{"patch lane, exact", "blocks", blocks(b, s, false)},
			{"patch lane, JPEG first", "blocks", blocks(b, s, true)},
			{"PNG", "png", pngData.Bytes()},
			{"JPEG", "jpeg", jpegData},
		} {
			b.Run(s.Name+"/"+c.name, func(b *testing.B) {
				// The best of the page's runs of 5: the page's clock is
				// coarse and its collector runs when it likes.
				ms := math.Inf(1)
				for b.Loop() {
					ms = min(ms, decodeInPage(b, ctx, c.kind, c.data, s.W, s.H, 5, false).MS)
				}
				b.ReportMetric(ms, "ms/decode")
				b.ReportMetric(float64(len(c.data)), "bytes")
			})
		}
	}
}

// Package bench measures the parts of the pipeline at 1920x1080 (go test
// -bench): capture, colour conversion, encoding and decoding on desktop-like
// content from internal/yuv/yuvtest. Benchmarks report; they do not fail on
// time. BenchmarkChangeToPicture times the whole pipeline, from an X client's
// drawing to the viewer's decoded picture. TestQuality1080p checks (and logs) the
// PSNR each codec reaches at its default bitrate.
package bench

// Package bench measures the parts of the pipeline at 1920x1080 (go test
// -bench): capture, colour conversion, encoding and decoding on desktop-like
// content from internal/yuv/yuvtest. Benchmarks report; they do not fail on
// time. TestQuality1080p logs the PSNR each codec reaches at its default
// bitrate.
package bench

// Package bench measures dream, and the remote displays users would run
// instead, the way users feel them.
//
// dreambench's scenarios (cmd/dreambench drives them): Typing and TypingVNC
// and TypingXpra time a keystroke from the viewer to the picture its viewer
// decoded, on one clock, split into input and output, while an X client
// repaints a 400x400 square or the whole screen with the next of four
// pictures (a flat colour, a page of text, a photo) carrying a marker; Scroll
// and ScrollVNC count frames, bitrate and drops while the test pattern
// scrolls; Load, IdleVNC and IdleXpra measure a still desktop (CPU, packets)
// and one tile for many viewers. The VNC servers (x11vnc as shipped and
// tuned, TigerVNC's X0tigervnc) are read by a small RFB viewer that decodes
// Raw, ZRLE and Tight (JPEG through libjpeg-turbo, as VNC viewers do) into a
// framebuffer; xpra is read through its own client on a second display. A
// Link shapes all of it: the rate by the kernel on a private network
// namespace's loopback (tc tbf), the delay by the viewer's side, each way.
//
// The go test benchmarks (go test -bench) time the pipeline's parts at
// 1920x1080: capture, colour conversion, encoding and decoding on
// desktop-like content from internal/yuv/yuvtest. BenchmarkChangeToPicture
// times the whole pipeline, from an X client's drawing to the viewer's
// decoded picture. TestQuality1080p checks (and logs) the PSNR each codec
// reaches at its default bitrate. Benchmarks report; they do not fail on
// time.
package bench

// Package xvfb starts and stops an Xvfb server: the virtual X display that
// dreamcomp owns when no --display is given, and the display every X11 test
// runs against.
//
// Start picks a free display number itself (Xvfb -displayfd), so servers
// started by parallel tests or by other users never collide, and returns once
// the display accepts connections:
//
//	srv, err := xvfb.Start(ctx, xvfb.Config{Width: 1920, Height: 1080, Log: log})
//	if err != nil {
//		return err // says "install xvfb (scripts/setup)" when Xvfb is missing
//	}
//	defer srv.Stop()
//	conn, err := xgb.NewConnDisplay(srv.Display()) // ":N"
//
// The server runs with -nolisten tcp (local clients only) and -noreset (it
// survives its last client disconnecting). It lives in its own process group,
// so a Ctrl-C at the terminal reaches dreamcomp, which stops its clients
// before the display; and on Linux it is killed if its parent dies, so a
// crashed test leaves no stray server behind.
//
// Done is closed when the Xvfb process exits, for whatever reason; Err then
// says why. Stop sends SIGTERM, waits, and sends SIGKILL after a timeout.
// Xvfb's own messages go to Config.Log at Debug, and the last of them are
// quoted in errors.
//
// Tests use xvfbtest.StartForTest, which fails the test when Xvfb is missing
// and stops the server when the test ends.
package xvfb

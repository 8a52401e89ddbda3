// Package xvfbtest gives tests an Xvfb display of their own.
//
//	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 640, Height: 480})
//	src, err := capture.Open(capture.Config{Display: srv.Display()})
//
// A missing Xvfb fails the test rather than skipping it: X11 tests are part
// of the suite, and a skip would hide a machine that cannot run them.
package xvfbtest

import (
	"context"
	"testing"
	"time"

	"dream/internal/xvfb"
)

// StartForTest starts an Xvfb server for t and stops it when t ends. It fails
// the test (t.Fatal) if Xvfb is missing or does not start within 30 s.
func StartForTest(t testing.TB, cfg xvfb.Config) *xvfb.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := xvfb.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("stop Xvfb: %v", err)
		}
	})
	return srv
}

package cursor

import (
	"image"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

func TestWatcher(t *testing.T) {
	srv := xvfbtest.StartForTest(t, xvfb.Config{Width: 320, Height: 240})
	w, err := Open(Config{Display: srv.Display()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	first := w.Shape()
	if first.Width < 1 || first.Height < 1 || len(first.Pixels) != first.Width*first.Height*4 {
		t.Fatalf("initial cursor %dx%d with %d pixel bytes; want an image", first.Width, first.Height, len(first.Pixels))
	}
	if p := w.Position(); p != image.Pt(160, 120) {
		t.Errorf("initial position %v; want the screen's centre 160,120", p)
	}

	// Moving the pointer is seen at the next Update.
	xvfbtest.Xdotool(t, srv.Display(), "mousemove", "30", "40")
	if _, moved, err := w.Update(); err != nil || !moved || w.Position() != image.Pt(30, 40) {
		t.Errorf("after a move: moved %v, position %v, %v; want moved to 30,40", moved, w.Position(), err)
	}
	if _, moved, _ := w.Update(); moved {
		t.Errorf("a second Update without motion says moved")
	}

	// A window with a cursor of its own: entering it changes the image.
	conn, err := xgb.NewConnDisplay(srv.Display())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	screen := xproto.Setup(conn).DefaultScreen(conn)
	font, _ := xproto.NewFontId(conn)
	xproto.OpenFont(conn, font, uint16(len("cursor")), "cursor")
	cur, _ := xproto.NewCursorId(conn)
	const hand2 = 60 // in the cursor font
	xproto.CreateGlyphCursor(conn, cur, font, font, hand2, hand2+1, 0, 0, 0, 0xffff, 0xffff, 0xffff)
	win, _ := xproto.NewWindowId(conn)
	xproto.CreateWindow(conn, 0, win, screen.Root, 200, 100, 80, 80, 0, xproto.WindowClassInputOutput, 0,
		xproto.CwOverrideRedirect|xproto.CwCursor, []uint32{1, uint32(cur)})
	xproto.MapWindow(conn, win)
	if _, err := xproto.GetInputFocus(conn).Reply(); err != nil { // processed
		t.Fatal(err)
	}
	xvfbtest.Xdotool(t, srv.Display(), "mousemove", "240", "140")
	select {
	case <-w.Changed():
	case <-time.After(5 * time.Second):
		t.Fatal("no cursor change reported after entering a window with its own cursor")
	}
	shape, moved, err := w.Update()
	if err != nil || !shape || !moved {
		t.Fatalf("Update after entering the window: shape %v moved %v %v; want both", shape, moved, err)
	}
	if c := w.Shape(); c.Serial == first.Serial {
		t.Errorf("cursor serial still %d after the change", c.Serial)
	}
}

func TestOpenNoDisplay(t *testing.T) {
	if _, err := Open(Config{Display: ":59998"}); err == nil {
		t.Error("Open(:59998) succeeded with no X server there")
	}
}

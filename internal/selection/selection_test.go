package selection

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"dream/internal/xvfb"
	"dream/internal/xvfb/xvfbtest"
)

// TestSetThenPaste: text Set here is what another program pastes, from either
// selection, as UTF-8 or Latin-1.
func TestSetThenPaste(t *testing.T) {
	d := xvfbtest.StartForTest(t, xvfb.Config{Width: 64, Height: 64}).Display()
	x, err := Open(d)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.Set(Clipboard, "copied ✓\nline two"); err != nil {
		t.Fatal(err)
	}
	if err := x.Set(Primary, "café"); err != nil {
		t.Fatal(err)
	}
	if got := xvfbtest.Paste(t, d, "clipboard"); got != "copied ✓\nline two" {
		t.Errorf("pasted CLIPBOARD %q", got)
	}
	if got := xclipOut(t, d, "primary", "UTF8_STRING"); got != "café" {
		t.Errorf("pasted PRIMARY %q", got)
	}
	if got := xclipOut(t, d, "primary", "STRING"); got != "caf\xe9" {
		t.Errorf("pasted PRIMARY as STRING %q; want Latin-1", got)
	}
	if got := xclipOut(t, d, "clipboard", "TARGETS"); !strings.Contains(got, "UTF8_STRING") {
		t.Errorf("TARGETS = %q; want UTF8_STRING among them", got)
	}
}

// TestCopyElsewhere: another program copying is noticed and read.
func TestCopyElsewhere(t *testing.T) {
	d := xvfbtest.StartForTest(t, xvfb.Config{Width: 64, Height: 64}).Display()
	x, err := Open(d)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got, err := x.Get(Clipboard); got != "" || err != nil {
		t.Errorf("Get with no owner = %q, %v; want \"\", nil", got, err)
	}
	x.Set(Clipboard, "mine")
	// xclip -i stays in the background, owning the selection, until another takes it.
	xvfbtest.Copy(t, d, "clipboard", "from xclip: ü")
	select {
	case <-x.Changed():
		if taken := x.Taken(); taken != [2]bool{true, false} {
			t.Errorf("Taken() = %v; want CLIPBOARD only", taken)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no change noticed within 5 s")
	}
	if got, err := x.Get(Clipboard); got != "from xclip: ü" || err != nil {
		t.Errorf("Get = %q, %v; want xclip's text", got, err)
	}
}

// xclipOut pastes selection as target.
func xclipOut(t *testing.T, display, selection, target string) string {
	t.Helper()
	cmd := exec.Command("xclip", "-o", "-selection", selection, "-target", target)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("xclip -o -target %s: %v", target, err)
	}
	return string(out)
}

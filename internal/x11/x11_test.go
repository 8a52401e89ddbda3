package x11

import (
	"strings"
	"testing"
)

func TestDialNoServer(t *testing.T) {
	_, name, err := Dial(":59997")
	if err == nil || name != ":59997" || !strings.Contains(err.Error(), "cannot open display :59997: no X server there") {
		t.Errorf("Dial(:59997) = %q, %v; want an error saying there is no X server at :59997", name, err)
	}
	t.Setenv("DISPLAY", "")
	if _, _, err := Dial(""); err == nil || !strings.Contains(err.Error(), "$DISPLAY is not set") {
		t.Errorf("Dial(\"\") without $DISPLAY = %v; want an error saying so", err)
	}
}

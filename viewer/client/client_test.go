package client

import (
	"errors"
	"fmt"
	"net/http"
	"syscall"
	"testing"
)

// TestLasting: refusals that asking again will not change, told apart from
// a server that is away, restarting or busy.
func TestLasting(t *testing.T) {
	refused := func(status int) error {
		return fmt.Errorf("dial: %w", &StatusError{URL: "https://h/whep/1", Status: status, Text: http.StatusText(status)})
	}
	for _, c := range []struct {
		err  error
		want bool
	}{
		{refused(http.StatusUnauthorized), true},
		{refused(http.StatusNotFound), true},
		{refused(http.StatusBadRequest), true},
		{fmt.Errorf("tls: %w", ErrUntrusted), true},
		{refused(http.StatusServiceUnavailable), false},
		{refused(http.StatusInternalServerError), false},
		{refused(http.StatusTooManyRequests), false},
		{fmt.Errorf("cannot reach h: %w", syscall.ECONNREFUSED), false},
		{fmt.Errorf("tile 1: %w", ErrLost), false},
	} {
		if got := Lasting(c.err); got != c.want {
			t.Errorf("Lasting(%v) = %v; want %v", c.err, got, c.want)
		}
	}
	if err := refused(http.StatusUnauthorized); !errors.Is(err, ErrServer) {
		t.Errorf("a refusal %v does not wrap ErrServer", err)
	}
}

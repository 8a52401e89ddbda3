package trust

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dream/viewer/client"
)

const (
	fpA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	fpB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func TestParseURL(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want Server
		err  string
	}{
		{"desk:8040", Server{URL: "https://desk:8040", HostPort: "desk:8040"}, ""},
		{"https://10.0.0.5:8040/?token=abc&fp=" + strings.ToUpper(fpA), Server{URL: "https://10.0.0.5:8040", HostPort: "10.0.0.5:8040", Token: "abc", Fingerprint: fpA}, ""},
		{"http://127.0.0.1:8040", Server{URL: "http://127.0.0.1:8040", HostPort: "127.0.0.1:8040"}, ""},
		{"https://desk:8040/?fp=1234", Server{}, "64 hex digits"},
		{"ftp://desk", Server{}, "pairing URL"},
	} {
		got, err := ParseURL(tt.raw)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseURL(%q) = %v; want an error with %q", tt.raw, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tt.raw, got, err, tt.want)
		}
	}
}

// TestPinning: trusted on first use and kept (mode 0600) with the token; the
// same certificate passes later, another is refused with what to do; a pairing
// URL's fingerprint must match, and re-pairs.
func TestPinning(t *testing.T) {
	s := &Store{Path: filepath.Join(t.TempDir(), "view", "servers")}
	srv := Server{HostPort: "desk:8040"}
	if err := s.Verifier(srv, "tok1")(fpA); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if st, err := os.Stat(s.Path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the pairing file: %v, %v; want mode 0600", st, err)
	}
	if fp, tok, ok, _ := s.Lookup("desk:8040"); !ok || fp != fpA || tok != "tok1" {
		t.Errorf("Lookup = %q, %q, %v; want the first certificate and token", fp, tok, ok)
	}
	if err := s.Verifier(srv, "")(fpA); err != nil {
		t.Errorf("the same certificate again: %v", err)
	}
	err := s.Verifier(srv, "")(fpB)
	if !errors.Is(err, client.ErrUntrusted) || !strings.Contains(err.Error(), "changed") || !strings.Contains(err.Error(), s.Path) {
		t.Errorf("another certificate: %v; want ErrUntrusted saying it changed and where pairings are", err)
	}
	paired := Server{HostPort: "desk:8040", Fingerprint: fpB}
	if err := s.Verifier(paired, "tok2")(fpA); !errors.Is(err, client.ErrUntrusted) {
		t.Errorf("a certificate other than the pairing URL's: %v; want ErrUntrusted", err)
	}
	if err := s.Verifier(paired, "tok2")(fpB); err != nil {
		t.Errorf("pairing anew: %v", err)
	}
	if fp, tok, _, _ := s.Lookup("desk:8040"); fp != fpB || tok != "tok2" {
		t.Errorf("after pairing anew: %q, %q", fp, tok)
	}
}

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

// TestPinning: a server not paired passes and, remembered, is kept (mode
// 0600) with its token; the same certificate passes later, another is refused
// with what to do; a pairing URL's fingerprint must match, and one that
// differs from the kept pin needs --repair.
func TestPinning(t *testing.T) {
	s := &Store{Path: filepath.Join(t.TempDir(), "view", "servers")}
	srv := Server{HostPort: "desk:8040"}
	if err := s.Check(srv, false)(fpA); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if _, _, ok, _ := s.Lookup("desk:8040"); ok {
		t.Fatal("a server was kept before its connection succeeded")
	}
	if err := s.Remember("desk:8040", fpA, "tok1"); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(s.Path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the pairing file: %v, %v; want mode 0600", st, err)
	}
	if fp, tok, ok, _ := s.Lookup("desk:8040"); !ok || fp != fpA || tok != "tok1" {
		t.Errorf("Lookup = %q, %q, %v; want the first certificate and token", fp, tok, ok)
	}
	if err := s.Check(srv, false)(fpA); err != nil {
		t.Errorf("the same certificate again: %v", err)
	}
	s.Remember("desk:8040", fpA, "") // a connection with the kept token keeps it
	if _, tok, _, _ := s.Lookup("desk:8040"); tok != "tok1" {
		t.Errorf("token after a connection without one: %q; want tok1 kept", tok)
	}
	err := s.Check(srv, false)(fpB)
	if !errors.Is(err, client.ErrUntrusted) || !strings.Contains(err.Error(), "changed") || !strings.Contains(err.Error(), s.Path) {
		t.Errorf("another certificate: %v; want ErrUntrusted saying it changed and where pairings are", err)
	}
	paired := Server{HostPort: "desk:8040", Fingerprint: fpB}
	if err := s.Check(paired, false)(fpB); !errors.Is(err, client.ErrUntrusted) || !strings.Contains(err.Error(), "--repair") {
		t.Errorf("a pairing URL naming another certificate than the kept one: %v; want a refusal pointing to --repair", err)
	}
	if err := s.Check(paired, true)(fpA); !errors.Is(err, client.ErrUntrusted) {
		t.Errorf("a certificate other than the pairing URL's: %v; want ErrUntrusted", err)
	}
	if err := s.Check(paired, true)(fpB); err != nil {
		t.Errorf("pairing anew with --repair: %v", err)
	}
}

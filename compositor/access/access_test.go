package access

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKeysMadeOnceAndKept: the first Load makes the token and certificate
// (mode 0600), later ones read the same; the view-only token exists only once
// issued, and then stays.
func TestKeysMadeOnceAndKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "comp")
	first, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Control) < 32 || len(first.Fingerprint) != 64 || first.View != "" {
		t.Fatalf("first Load: token %q, fingerprint %q, view %q", first.Control, first.Fingerprint, first.View)
	}
	view, err := first.ViewToken()
	if err != nil || len(view) < 32 || view == first.Control {
		t.Fatalf("ViewToken() = %q, %v", view, err)
	}
	for _, f := range []string{ControlFile, ViewFile, CertFile, KeyFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; want 0600", f, st.Mode().Perm())
		}
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("the directory has mode %v; want 0700", st.Mode().Perm())
	}
	again, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.Control != first.Control || again.View != view || again.Fingerprint != first.Fingerprint {
		t.Errorf("a second Load gave other secrets: %+v vs %+v", again, first)
	}
	// A secret others can read is refused, saying how to mend it.
	os.Chmod(filepath.Join(dir, ControlFile), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("Load with a token of mode 0644: %v; want a refusal saying chmod 600", err)
	}
	os.Chmod(filepath.Join(dir, ControlFile), 0o600)
	other, err := Load(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if other.Control == first.Control || other.Fingerprint == first.Fingerprint {
		t.Error("two directories got the same secrets")
	}
}

func TestGuard(t *testing.T) {
	keys, err := Load(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	view, _ := keys.ViewToken()
	g := NewGuard(keys)
	now := time.Unix(1000, 0)
	g.now = func() time.Time { return now }
	ask := func(addr, auth string) (Role, int) {
		r := httptest.NewRequest(http.MethodPost, "/whep/1", nil)
		r.RemoteAddr = addr
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		role, err := g.Check(r)
		if err == nil {
			return role, 0
		}
		ref, ok := AsRefusal(err)
		if !ok {
			t.Fatalf("Check: %v is not a Refusal", err)
		}
		return role, ref.Status
	}
	for _, tt := range []struct {
		name, auth string
		role       Role
		status     int
	}{
		{"control", "Bearer " + keys.Control, Control, 0},
		{"view only", "Bearer " + view, Watch, 0},
		{"none", "", None, 401},
		{"wrong", "Bearer nope", None, 401},
		{"basic", "Basic " + keys.Control, None, 401},
	} {
		if role, status := ask("192.0.2.1:5000", tt.auth); role != tt.role || status != tt.status {
			t.Errorf("%s: %v, %d; want %v, %d", tt.name, role, status, tt.role, tt.status)
		}
	}
	// One address guessing is stopped; the others, and the right token from
	// elsewhere, are not.
	for i := 0; i < MaxFailures; i++ {
		ask("192.0.2.9:1", "Bearer guess")
	}
	if _, status := ask("192.0.2.9:2", "Bearer "+keys.Control); status != 429 {
		t.Errorf("after %d wrong tokens: %d; want 429", MaxFailures, status)
	}
	if role, _ := ask("192.0.2.10:1", "Bearer "+keys.Control); role != Control {
		t.Errorf("another address is refused too")
	}
	// An IPv6 host rotating its addresses within its /64 is one source.
	for i := 0; i < MaxFailures; i++ {
		ask(fmt.Sprintf("[2001:db8:1:2::%x]:1", i+1), "Bearer guess")
	}
	if _, status := ask("[2001:db8:1:2::ffff]:1", "Bearer "+keys.Control); status != 429 {
		t.Errorf("a /64 after %d wrong tokens from its addresses: %d; want 429", MaxFailures, status)
	}
	now = now.Add(FailureWindow)
	if role, status := ask("192.0.2.9:3", "Bearer "+keys.Control); role != Control {
		t.Errorf("a minute later: %v, %d; want Control", role, status)
	}
}

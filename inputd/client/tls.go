package client

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrUntrusted is returned when the server's certificate is not among the
// trusted ones.
var ErrUntrusted = errors.New("the server's certificate is not trusted")

// Profile holds a screen's TLS identity and the servers it trusts, laid out as
// Barrier lays out its profile directory:
//
//	SSL/dreaminput.pem                   this screen's certificate and key
//	SSL/Fingerprints/Local.txt           its fingerprint, for the server's TrustedClients.txt
//	SSL/Fingerprints/TrustedServers.txt  the servers it trusts, one v2:sha256:HEX a line
type Profile struct {
	Dir string
}

// Fingerprint is a certificate's SHA-256 fingerprint in Barrier's format,
// "v2:sha256:" and lowercase hex.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return "v2:sha256:" + hex.EncodeToString(sum[:])
}

// Certificate loads this screen's certificate, making one (and writing its
// fingerprint to Local.txt) on first use.
func (p Profile) Certificate() (tls.Certificate, error) {
	path := filepath.Join(p.Dir, "SSL", "dreaminput.pem")
	if b, err := os.ReadFile(path); err == nil {
		return tls.X509KeyPair(b, b)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: "dreaminput"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	b = append(b, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})...)
	if err := os.MkdirAll(filepath.Join(p.Dir, "SSL", "Fingerprints"), 0o700); err != nil {
		return tls.Certificate{}, err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := os.WriteFile(filepath.Join(p.Dir, "SSL", "Fingerprints", "Local.txt"), []byte(Fingerprint(der)+"\n"), 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(b, b)
}

// Trusted reads the fingerprints of the servers this screen trusts.
func (p Profile) Trusted() (map[string]bool, error) { return p.fingerprints("TrustedServers.txt") }

// TrustedClients reads the fingerprints of the screens a server trusts.
func (p Profile) TrustedClients() (map[string]bool, error) {
	return p.fingerprints("TrustedClients.txt")
}

func (p Profile) fingerprints(file string) (map[string]bool, error) {
	f, err := os.Open(filepath.Join(p.Dir, "SSL", "Fingerprints", file))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	trusted := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.ToLower(strings.TrimSpace(sc.Text())); strings.HasPrefix(l, "v2:sha256:") {
			trusted[l] = true
		}
	}
	return trusted, sc.Err()
}

// TLSConfig is the client side of Barrier's TLS: this screen's certificate,
// and the server's checked against the pinned fingerprints (its certificate is
// self-signed, so there is no chain to verify).
func (p Profile) TLSConfig() (*tls.Config, error) {
	cert, err := p.Certificate()
	if err != nil {
		return nil, fmt.Errorf("this screen's certificate in %s: %w", p.Dir, err)
	}
	trusted, err := p.Trusted()
	if err != nil {
		return nil, fmt.Errorf("trusted servers in %s: %w", p.Dir, err)
	}
	return &tls.Config{
		Certificates:       []tls.Certificate{cert},
		InsecureSkipVerify: true, // replaced by the fingerprint check below
		MinVersion:         tls.VersionTLS12,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return fmt.Errorf("%w: it sent none", ErrUntrusted)
			}
			fp := Fingerprint(raw[0])
			if !trusted[fp] {
				return fmt.Errorf("%w: %s (if it is your server, add that line to %s)", ErrUntrusted, fp,
					filepath.Join(p.Dir, "SSL", "Fingerprints", "TrustedServers.txt"))
			}
			return nil
		},
	}, nil
}

// ServerTLSConfig is the server side of Barrier's TLS: this machine's
// certificate, and each screen's checked against TrustedClients.txt.
func (p Profile) ServerTLSConfig() (*tls.Config, error) {
	cert, err := p.Certificate()
	if err != nil {
		return nil, fmt.Errorf("this server's certificate in %s: %w", p.Dir, err)
	}
	if _, err := p.TrustedClients(); err != nil {
		return nil, fmt.Errorf("trusted screens in %s: %w", p.Dir, err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAnyClientCert, // self-signed: checked by fingerprint
		MinVersion:   tls.VersionTLS12,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("the screen sent no certificate")
			}
			// Read each time: a screen added to the file needs no restart.
			trusted, err := p.TrustedClients()
			if err != nil {
				return fmt.Errorf("trusted screens in %s: %w", p.Dir, err)
			}
			if fp := Fingerprint(raw[0]); !trusted[fp] {
				return fmt.Errorf("the screen's certificate is not trusted: %s (if it is yours, add that line to %s)", fp,
					filepath.Join(p.Dir, "SSL", "Fingerprints", "TrustedClients.txt"))
			}
			return nil
		},
	}, nil
}

// Trust adds a server's fingerprint (v2:sha256:HEX, as Barrier shows it) to
// TrustedServers.txt.
func (p Profile) Trust(fingerprint string) error { return p.trust("TrustedServers.txt", fingerprint) }

// TrustClient adds a screen's fingerprint to TrustedClients.txt.
func (p Profile) TrustClient(fingerprint string) error {
	return p.trust("TrustedClients.txt", fingerprint)
}

func (p Profile) trust(file, fingerprint string) error {
	fp := strings.ToLower(strings.TrimSpace(fingerprint))
	if !strings.HasPrefix(fp, "v2:sha256:") || len(fp) != len("v2:sha256:")+64 {
		return fmt.Errorf("fingerprint %q: want v2:sha256: and 64 hex digits, as Barrier shows one", fingerprint)
	}
	if _, err := hex.DecodeString(fp[len("v2:sha256:"):]); err != nil {
		return fmt.Errorf("fingerprint %q: %w", fingerprint, err)
	}
	dir := filepath.Join(p.Dir, "SSL", "Fingerprints")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, file), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, fp); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// DefaultProfile is where a user's profile lives: the user's configuration
// directory, dream/input.
func DefaultProfile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ".dreaminput"
	}
	return filepath.Join(dir, "dream", "input")
}

// Setup readies TLS for a screen: it adds trust (a server fingerprint, when
// given), makes or loads the screen's certificate, logs its fingerprint for the
// server's TrustedClients.txt, and returns the client configuration.
func (p Profile) Setup(trust string, log *slog.Logger) (*tls.Config, error) {
	if trust != "" {
		if err := p.Trust(trust); err != nil {
			return nil, err
		}
	}
	cert, err := p.Certificate()
	if err != nil {
		return nil, fmt.Errorf("this screen's certificate in %s: %w", p.Dir, err)
	}
	log.Info("this screen's certificate: add its fingerprint to the server's TrustedClients.txt",
		"fingerprint", Fingerprint(cert.Certificate[0]), "profile", p.Dir)
	return p.TLSConfig()
}

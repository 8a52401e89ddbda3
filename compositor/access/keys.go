package access

import (
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
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Files in the directory.
const (
	ControlFile = "token"      // watch and type
	ViewFile    = "view-token" // watch only; made by ViewToken
	CertFile    = "cert.pem"
	KeyFile     = "key.pem"
)

// Keys are one dreamcomp's secrets.
type Keys struct {
	Dir         string
	Control     string // the control token
	View        string // the view-only token; "" until one is issued
	Cert        tls.Certificate
	Fingerprint string // SHA-256 of the certificate, hex
}

// DefaultDir is where dreamcomp keeps its secrets: the user's configuration
// directory, dream/comp.
func DefaultDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ".dreamcomp"
	}
	return filepath.Join(dir, "dream", "comp")
}

// Load reads the secrets in dir, making what is missing.
func Load(dir string) (*Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	k := &Keys{Dir: dir}
	var err error
	if k.Control, err = token(filepath.Join(dir, ControlFile), true); err != nil {
		return nil, err
	}
	if k.View, err = token(filepath.Join(dir, ViewFile), false); err != nil {
		return nil, err
	}
	if k.Cert, err = certificate(dir); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(k.Cert.Certificate[0])
	k.Fingerprint = hex.EncodeToString(sum[:])
	return k, nil
}

// ViewToken returns the view-only token, issuing one if there is none yet.
// It stays valid until its file is deleted.
func (k *Keys) ViewToken() (string, error) {
	if k.View != "" {
		return k.View, nil
	}
	t, err := token(filepath.Join(k.Dir, ViewFile), true)
	if err != nil {
		return "", err
	}
	k.View = t
	return t, nil
}

// token reads the token in path; a missing one is made when create is set.
func token(path string, create bool) (string, error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		t := strings.TrimSpace(string(b))
		if len(t) < 32 {
			return "", fmt.Errorf("token in %s is too short (delete the file to make a new one)", path)
		}
		return t, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("token: %w", err)
	case !create:
		return "", nil
	}
	var raw [24]byte
	rand.Read(raw[:])
	t := hex.EncodeToString(raw[:])
	if err := writeNew(path, []byte(t+"\n")); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return t, nil
}

// certificate loads the certificate and key in dir, or makes a self-signed
// pair (ECDSA P-256, ten years).
func certificate(dir string) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err == nil {
		return cert, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return cert, fmt.Errorf("certificate in %s: %w (delete %s and %s to make new ones; viewers will then have to pair again)", dir, err, CertFile, KeyFile)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return cert, err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "dreamcomp"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return cert, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return cert, err
	}
	if err := writeNew(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})); err != nil {
		return cert, err
	}
	if err := writeNew(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})); err != nil {
		return cert, err
	}
	return tls.LoadX509KeyPair(certPath, keyPath)
}

// writeNew writes a new file of mode 0600 (an existing one is an error: two
// dreamcomps starting at once keep the first one's).
func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

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
	PairingFile = "pairing-url"      // the pairing URL with the control token
	ViewURLFile = "view-pairing-url" // the pairing URL with the view-only token
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

// Load reads the secrets in dir, making what is missing. A secret that other
// users can read is refused.
func Load(dir string) (*Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil { // an older, looser directory is tightened
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

// WriteSecret writes a secret (a pairing URL) into dir/name, mode 0600,
// replacing what was there.
func (k *Keys) WriteSecret(name, text string) error {
	tmp, err := os.CreateTemp(k.Dir, "."+name+"-*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(text + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(k.Dir, name))
}

// readSecret reads a file only its owner may read.
func readSecret(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s can be read by other users (mode %v): run chmod 600 %s, or delete it to make a new one", path, st.Mode().Perm(), path)
	}
	return os.ReadFile(path)
}

// token reads the token in path; a missing one is made when create is set.
func token(path string, create bool) (string, error) {
	b, err := readSecret(path)
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
	if err := writeNew(path, []byte(t+"\n")); errors.Is(err, fs.ErrExist) {
		return token(path, false) // another dreamcomp made it first: use that one
	} else if err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return t, nil
}

// certificate loads the certificate and key in dir, or makes a self-signed
// pair (ECDSA P-256, ten years).
func certificate(dir string) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	var cert tls.Certificate
	_, certErr := os.Stat(certPath)
	keyPEM, keyErr := readSecret(keyPath)
	switch {
	case certErr == nil && keyErr == nil:
		certPEM, err := os.ReadFile(certPath)
		if err == nil {
			cert, err = tls.X509KeyPair(certPEM, keyPEM)
		}
		if err != nil {
			return cert, fmt.Errorf("certificate in %s: %w (delete %s and %s to make new ones; viewers will then have to pair again)", dir, err, CertFile, KeyFile)
		}
		return cert, nil
	case keyErr != nil && !errors.Is(keyErr, fs.ErrNotExist):
		return cert, keyErr
	case !errors.Is(certErr, fs.ErrNotExist) || !errors.Is(keyErr, fs.ErrNotExist):
		return cert, fmt.Errorf("certificate in %s: one of %s and %s is missing (delete both to make new ones; viewers will then have to pair again)", dir, CertFile, KeyFile)
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
	// The key, then the certificate: a certificate on disk always has its key.
	// Another dreamcomp that made them first wins; its pair is used.
	if err := writeNew(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})); errors.Is(err, fs.ErrExist) {
		time.Sleep(100 * time.Millisecond) // its certificate follows its key
		return certificate(dir)
	} else if err != nil {
		return cert, err
	}
	if err := writeNew(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})); err != nil {
		return cert, err
	}
	return tls.LoadX509KeyPair(certPath, keyPath)
}

// writeNew writes a new file of mode 0600 whole or not at all: written aside,
// then linked into place (fs.ErrExist when another process was first).
func writeNew(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".new-*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Link(tmp.Name(), path)
}

// Package secretbox derives the process's keys from one master key and seals
// recoverable secrets (partner signing keys, queued messages) with
// AES-256-GCM.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dompet/wallet/app"
)

// MasterKey is the root secret; everything else is derived from it.
type MasterKey []byte

// Derive returns a purpose-bound subkey, so that no two uses share a key.
func (k MasterKey) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, k)
	m.Write([]byte("wallet/" + purpose))
	return m.Sum(nil)
}

// LoadMasterKey reads WALLET_MASTER_KEY (base64, 32 bytes) or, when empty,
// the key file in dataDir, creating it on first use. The file keeps local
// runs zero-setup; production sets the variable from its secret store.
func LoadMasterKey(fromEnv, dataDir string) (MasterKey, error) {
	if fromEnv != "" {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(fromEnv))
		if err != nil || len(k) != 32 {
			return nil, errors.New("WALLET_MASTER_KEY must be 32 bytes in standard base64 (openssl rand -base64 32)")
		}
		return k, nil
	}
	if dataDir == "" {
		dataDir = "var"
	}
	path := filepath.Join(dataDir, "master.key")
	if b, err := os.ReadFile(path); err == nil {
		return LoadMasterKey(string(b), "")
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read master key: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process won the race
		return LoadMasterKey("", dataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("create master key: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		return nil, err
	}
	return k, f.Sync()
}

// Box implements app.SecretBox.
type Box struct {
	aead cipher.AEAD
}

var _ app.SecretBox = (*Box)(nil)

// New returns a box keyed from the master key.
func New(k MasterKey) (*Box, error) {
	block, err := aes.NewCipher(k.Derive("secretbox"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts with a random nonce prepended to the ciphertext.
func (b *Box) Seal(plain []byte) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return b.aead.Seal(nonce, nonce, plain, nil), nil
}

// Open decrypts and authenticates.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return nil, errors.New("secretbox: ciphertext too short")
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, errors.New("secretbox: cannot open (wrong key or tampered)")
	}
	return plain, nil
}

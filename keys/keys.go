package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/admit-project/admit"
)

// MasterKeySize is the size of the master key in bytes.
const MasterKeySize = 32

// sealVersion prefixes sealed values, so that a later format or key can be
// told apart.
const sealVersion = 1

// Ring is a Keyring derived from one master key.
type Ring struct {
	indexKey []byte
	aead     cipher.AEAD
	signKey  []byte
	rand     io.Reader
	pool     sync.Pool // of hash.Hash (HMAC under indexKey)
}

var _ admit.Keyring = (*Ring)(nil)

// New returns a Ring derived from master, which must be MasterKeySize bytes.
func New(master []byte) (*Ring, error) {
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("keys: master key has %d bytes, want %d", len(master), MasterKeySize)
	}
	derive := func(label string) []byte {
		k, err := hkdf.Key(sha256.New, master, nil, "admit "+label, 32)
		if err != nil {
			panic(err) // only for lengths hkdf cannot produce
		}
		return k
	}
	block, err := aes.NewCipher(derive("seal v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	r := &Ring{indexKey: derive("index v1"), aead: aead, signKey: derive("admission v1"), rand: rand.Reader}
	r.pool.New = func() any { return hmac.New(sha256.New, r.indexKey) }
	return r, nil
}

// Index returns HMAC-SHA256 over purpose, a zero byte and value.
func (r *Ring) Index(purpose string, value []byte) []byte {
	h := r.pool.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write(value)
	sum := h.Sum(nil)
	r.pool.Put(h)
	return sum
}

// Seal encrypts plaintext under AES-256-GCM with a random nonce, binding ad.
// The result is version byte, nonce, ciphertext and tag.
func (r *Ring) Seal(plaintext, ad []byte) ([]byte, error) {
	out := make([]byte, 1+r.aead.NonceSize(), 1+r.aead.NonceSize()+len(plaintext)+r.aead.Overhead())
	out[0] = sealVersion
	if _, err := io.ReadFull(r.rand, out[1:]); err != nil {
		return nil, fmt.Errorf("keys: nonce: %w", err)
	}
	return r.aead.Seal(out, out[1:], plaintext, ad), nil
}

// Open decrypts what Seal made with the same ad.
func (r *Ring) Open(sealed, ad []byte) ([]byte, error) {
	ns := r.aead.NonceSize()
	if len(sealed) < 1+ns+r.aead.Overhead() || sealed[0] != sealVersion {
		return nil, errors.New("keys: not a sealed value")
	}
	p, err := r.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], ad)
	if err != nil {
		return nil, errors.New("keys: sealed value does not open under this key")
	}
	return p, nil
}

// AdmissionKey returns the key admission tokens are signed with when no
// shared secret is configured for the media side.
func (r *Ring) AdmissionKey() []byte { return append([]byte(nil), r.signKey...) }

// Load reads the master key from path (hex), creating the file with a new
// random key, mode 0600, when it does not exist (created reports that). It
// refuses a key file that others may read.
func Load(path string) (r *Ring, created bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		master := make([]byte, MasterKeySize)
		if _, err := io.ReadFull(rand.Reader, master); err != nil {
			return nil, false, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, false, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return Load(path) // another process made it first
		} else if err != nil {
			return nil, false, err
		}
		if _, err := f.WriteString(hex.EncodeToString(master) + "\n"); err != nil {
			f.Close()
			return nil, false, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, false, err
		}
		if err := f.Close(); err != nil {
			return nil, false, err
		}
		r, err := New(master)
		return r, true, err
	} else if err != nil {
		return nil, false, err
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("keys: %s may be read by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	master, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, false, fmt.Errorf("keys: %s does not hold a hex key", path)
	}
	r, err = New(master)
	return r, false, err
}

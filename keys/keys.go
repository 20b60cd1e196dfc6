package keys

import (
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
	"sync"
	"sync/atomic"

	"github.com/admit-project/admit"
)

// MasterKeySize is the size of the master key in bytes.
const MasterKeySize = 32

// Ring is a Keyring derived from one master key (the root), with one or
// more sealing keys: version 1 is derived from the root, later versions come
// from `admit keys rotate`. A sealed value starts with its key's version.
type Ring struct {
	indexKey []byte
	signKey  []byte
	rand     io.Reader
	pool     sync.Pool // of hash.Hash (HMAC under indexKey)

	root  []byte
	seals atomic.Pointer[sealSet]
	file  *watchedFile // nil for a Ring made by New
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
	r := &Ring{indexKey: derive("index v1"), signKey: derive("admission v1"), rand: rand.Reader, root: append([]byte(nil), master...)}
	r.pool.New = func() any { return hmac.New(sha256.New, r.indexKey) }
	set, err := newSealSet(&keyFile{root: r.root})
	if err != nil {
		return nil, err
	}
	r.seals.Store(set)
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

// Seal encrypts plaintext under AES-256-GCM with the current sealing key and
// a random nonce, binding ad. The result is the key's version byte, nonce,
// ciphertext and tag. A key file changed by `admit keys rotate` is read
// again first, so a running server seals under the new key at once.
func (r *Ring) Seal(plaintext, ad []byte) ([]byte, error) {
	r.reloadIfChanged()
	set := r.seals.Load()
	aead := set.aeads[set.current]
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = set.current
	if _, err := io.ReadFull(r.rand, out[1:]); err != nil {
		return nil, fmt.Errorf("keys: nonce: %w", err)
	}
	return aead.Seal(out, out[1:], plaintext, ad), nil
}

// Open decrypts what Seal made with the same ad, under whichever of the
// ring's sealing keys made it.
func (r *Ring) Open(sealed, ad []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, errors.New("keys: not a sealed value")
	}
	aead := r.seals.Load().aeads[sealed[0]]
	if aead == nil && r.reloadIfChanged() {
		aead = r.seals.Load().aeads[sealed[0]]
	}
	if aead == nil {
		return nil, fmt.Errorf("keys: no sealing key of version %d (retired, or a newer key file not seen yet)", sealed[0])
	}
	ns := aead.NonceSize()
	if len(sealed) < 1+ns+aead.Overhead() {
		return nil, errors.New("keys: not a sealed value")
	}
	p, err := aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], ad)
	if err != nil {
		return nil, errors.New("keys: sealed value does not open under this key")
	}
	return p, nil
}

// Version returns the version of the key sealed a value, and the ring's
// current sealing version.
func (r *Ring) Version(sealed []byte) (of, current byte) {
	if len(sealed) > 0 {
		of = sealed[0]
	}
	return of, r.seals.Load().current
}

// AdmissionKey returns the key admission tokens are signed with when no
// shared secret is configured for the media side.
func (r *Ring) AdmissionKey() []byte { return append([]byte(nil), r.signKey...) }

// AuditKey returns the key the audit chain is hashed with (HKDF-SHA256 of
// the master key, label "admit audit v1"). It does not change when the
// sealing key is rotated.
func (r *Ring) AuditKey() []byte {
	k, err := hkdf.Key(sha256.New, r.root, nil, "admit audit v1", 32)
	if err != nil {
		panic(err) // only for lengths hkdf cannot produce
	}
	return k
}

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
		if err != nil {
			return nil, false, err
		}
		r.file = &watchedFile{path: path}
		r.file.stat()
		return r, true, nil
	} else if err != nil {
		return nil, false, err
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("keys: %s may be read by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	kf, err := parseKeyFile(path, b)
	if err != nil {
		return nil, false, err
	}
	if r, err = New(kf.root); err != nil {
		return nil, false, err
	}
	set, err := newSealSet(kf)
	if err != nil {
		return nil, false, err
	}
	r.seals.Store(set)
	r.file = &watchedFile{path: path}
	r.file.stat()
	return r, false, nil
}

package keys

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// fingerprintLabel derives the fingerprint from the master key: the
// fingerprint says which key a store was made with, and, being one HKDF
// output among many, tells nothing about the key or its other subkeys.
const fingerprintLabel = "admit fingerprint v1"

// Fingerprint returns the fingerprint of a master key: 16 hex digits in
// four groups ("3f2a-9c01-…"), the same for the same key, different (but
// for a 2^-64 chance) for another. Stores record it beside their data, so
// that a server started with the wrong or a new key refuses to start
// instead of losing every sealed secret and index.
func Fingerprint(master []byte) string {
	k, err := hkdf.Key(sha256.New, master, nil, fingerprintLabel, 8)
	if err != nil {
		panic(err) // only for lengths hkdf cannot produce
	}
	h := hex.EncodeToString(k)
	return h[0:4] + "-" + h[4:8] + "-" + h[8:12] + "-" + h[12:16]
}

// Fingerprint returns the fingerprint of the ring's master key (see the
// function Fingerprint).
func (r *Ring) Fingerprint() string { return Fingerprint(r.root) }

// MatchesFingerprint reports whether fp is the ring's fingerprint,
// comparing in constant time.
func (r *Ring) MatchesFingerprint(fp string) bool {
	return hmac.Equal([]byte(strings.TrimSpace(fp)), []byte(r.Fingerprint()))
}

// ErrNoKeyFile is returned by Open for a key file that does not exist.
var ErrNoKeyFile = errors.New("keys: no key file")

// Open reads the master key from path like Load, but never creates one: a
// missing file is ErrNoKeyFile (wrapped, with the path). A server opening a
// store that already has data uses Open, so that a lost key file is never
// silently replaced by a new key.
func Open(path string) (*Ring, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s", ErrNoKeyFile, path)
	}
	r, _, err := Load(path)
	return r, err
}

// MissingKeyAdvice is what to tell an operator whose store has data but
// whose key file at path is missing or is another key (want is the
// fingerprint the store recorded, "" when unknown).
func MissingKeyAdvice(path, want string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "the store has data but its key file %s is missing or holds another key", path)
	if want != "" {
		fmt.Fprintf(&b, " (the store was made with the key of fingerprint %s)", want)
	}
	b.WriteString(". A new key would make every sealed secret and index unreadable and break the audit chain, so admit does not make one. " +
		"Restore the key file from your backup to " + path + " (mode 0600), or pass its place with --key-file, then start again.")
	return b.String()
}

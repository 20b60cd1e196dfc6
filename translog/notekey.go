package translog

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"

	"golang.org/x/mod/sumdb/note"
)

// decodeKeyData decodes the base64 part of a note key.
func decodeKeyData(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// ed25519VerifierKey returns the note verifier key text for an Ed25519 seed.
func ed25519VerifierKey(name string, seed []byte) (string, error) {
	if len(seed) != ed25519.SeedSize {
		return "", fmt.Errorf("translog: checkpoint key seed is %d bytes, want %d", len(seed), ed25519.SeedSize)
	}
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(name, pub)
}

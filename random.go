package admit

import (
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// Alphabets used for generated values.
const (
	Digits = "0123456789"
	// NonZeroDigits are the digits allowed first in a meeting ID.
	NonZeroDigits = "123456789"
	// PMIFirstDigits are the digits allowed first in a personal meeting ID.
	PMIFirstDigits = "23456789"
	// ClearAlphabet is the alphabet of generated alphanumeric passcodes: letters
	// and digits without look-alikes (no 0, O, o, 1, l, I).
	ClearAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"
)

// randomChoice returns a string of n symbols drawn uniformly and independently
// from alphabet (at most 256 symbols), reading bytes from r. It draws by
// rejection: bytes at or above the largest multiple of len(alphabet) are
// thrown away, so there is no modulo bias.
func randomChoice(r io.Reader, alphabet string, n int) (string, error) {
	size := len(alphabet)
	if size == 0 || size > 256 {
		return "", fmt.Errorf("random: alphabet of %d symbols", size)
	}
	limit := 256 - 256%size // bytes below limit map uniformly
	out := make([]byte, 0, n)
	buf := make([]byte, n+8)
	for len(out) < n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("random: %w", err)
		}
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, alphabet[int(b)%size])
			if len(out) == n {
				break
			}
		}
	}
	return string(out), nil
}

// RandomString returns n symbols drawn uniformly from alphabet.
func RandomString(r io.Reader, alphabet string, n int) (string, error) {
	return randomChoice(r, alphabet, n)
}

// RandomDigits returns n uniformly random digits whose first digit is drawn
// from first (for example NonZeroDigits).
func RandomDigits(r io.Reader, n int, first string) (string, error) {
	if n < 1 {
		return "", fmt.Errorf("random: %d digits", n)
	}
	head, err := randomChoice(r, first, 1)
	if err != nil {
		return "", err
	}
	tail, err := randomChoice(r, Digits, n-1)
	if err != nil {
		return "", err
	}
	return head + tail, nil
}

// RandomToken returns nbytes random bytes encoded as unpadded base64url: a
// URL-safe token (16 bytes give the 128-bit invitee link token).
func RandomToken(r io.Reader, nbytes int) (string, error) {
	b := make([]byte, nbytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// RandomID returns a public identifier: prefix followed by 80 random bits in
// lower-case base32 (16 characters).
func RandomID(r io.Reader, prefix string) (string, error) {
	b := make([]byte, 10)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return prefix + strings.ToLower(lowerBase32.EncodeToString(b)), nil
}

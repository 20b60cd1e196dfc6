package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8  // lanes
	SaltLen int
	KeyLen  uint32
}

// DefaultParams are the parameters new hashes use (see the package comment).
var DefaultParams = Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}

// Limits on stored parameters, so that a forged hash string cannot make
// Verify allocate without bound.
const (
	maxMemory  = 1 << 20 // KiB (1 GiB)
	maxTime    = 16
	maxKeyLen  = 128
	maxSaltLen = 64
)

// Hasher hashes and checks passwords. The zero value uses DefaultParams and
// crypto/rand.
type Hasher struct {
	Params Params    // zero means DefaultParams
	Rand   io.Reader // nil means crypto/rand.Reader
	// Slots bound the hashes that run at once; nil means Process, shared by
	// every Hasher of the process.
	Slots *Slots
}

// ErrMalformed is returned by Verify for a string that is not an argon2id
// PHC hash with parameters in range.
var ErrMalformed = errors.New("password: malformed argon2id hash")

func (h *Hasher) slots() *Slots {
	if h == nil || h.Slots == nil {
		return Process
	}
	return h.Slots
}

// key runs argon2id within one of the hasher's slots (ErrBusy when none is
// to be had).
func (h *Hasher) key(password string, salt []byte, p Params, keyLen uint32) ([]byte, error) {
	sl := h.slots()
	if err := sl.acquire(); err != nil {
		return nil, err
	}
	defer sl.release()
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen), nil
}

func (h *Hasher) params() Params {
	if h == nil || h.Params == (Params{}) {
		return DefaultParams
	}
	return h.Params
}

// Hash returns the PHC string of password under a fresh random salt, or
// ErrBusy when the hasher's Slots are all taken and their line is full.
func (h *Hasher) Hash(password string) (string, error) {
	p := h.params()
	r := io.Reader(rand.Reader)
	if h != nil && h.Rand != nil {
		r = h.Rand
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(r, salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	key, err := h.key(password, salt, p, p.KeyLen)
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches the PHC string hash, comparing in
// constant time. It returns ErrMalformed for a hash it cannot read and
// ErrBusy as Hash does.
func (h *Hasher) Verify(hash, password string) (bool, error) {
	p, salt, key, err := decode(hash)
	if err != nil {
		return false, err
	}
	got, err := h.key(password, salt, p, uint32(len(key)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether hash was made with parameters other than the
// hasher's (or cannot be read).
func (h *Hasher) NeedsRehash(hash string) bool {
	p, salt, key, err := decode(hash)
	want := h.params()
	return err != nil || p.Memory != want.Memory || p.Time != want.Time || p.Threads != want.Threads ||
		len(salt) != want.SaltLen || uint32(len(key)) != want.KeyLen
}

// decode parses a PHC argon2id string.
func decode(hash string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, ErrMalformed
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, nil, nil, ErrMalformed
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, ErrMalformed
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, ErrMalformed
			}
			p.Threads = uint8(n)
		default:
			return p, nil, nil, ErrMalformed
		}
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(salt) > maxSaltLen || len(key) < 16 || len(key) > maxKeyLen ||
		p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory || p.Time < 1 || p.Time > maxTime || p.Threads < 1 {
		return p, nil, nil, ErrMalformed
	}
	p.SaltLen, p.KeyLen = len(salt), uint32(len(key))
	return p, salt, key, nil
}

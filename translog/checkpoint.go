package translog

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a signed statement of the log's state: that its first Size
// entries have the RFC 6962 root hash Root. Note is the signed note as
// published (the body is the checkpoint format of
// github.com/transparency-dev/formats/log: origin, size, base64 root, then a
// "time" line), which anyone with the public key can check.
type Checkpoint struct {
	Origin string    `json:"origin"`
	Size   uint64    `json:"size"`
	Root   []byte    `json:"root"`
	Time   time.Time `json:"time"` // when it was signed (part of the signed text)
	Note   []byte    `json:"note"` // the signed note, as published

	// ID is the store's number for the checkpoint (signing order), and
	// WitnessedAt when a witness first accepted it (zero if none has); the
	// store keeps both beside the note, outside what is signed.
	ID          int64     `json:"id,omitempty"`
	WitnessedAt time.Time `json:"witnessed_at,omitzero"`
}

// timeLine starts the checkpoint's extension line giving its signing time.
const timeLine = "time "

// Signer signs checkpoints with an Ed25519 key in the signed-note format.
// Its key is its own file, apart from the keys that seal secrets, so that
// it can be kept, rotated and backed up on its own.
type Signer struct {
	signer   note.Signer
	verifier note.Verifier
	vkey     string
}

// NewSigner returns a Signer for a note private key ("PRIVATE+KEY+…", as
// note.GenerateKey makes).
func NewSigner(skey string) (*Signer, error) {
	s, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return nil, fmt.Errorf("translog: checkpoint signing key: %w", err)
	}
	vkey, err := publicKeyOf(strings.TrimSpace(skey))
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("translog: checkpoint signing key: %w", err)
	}
	return &Signer{signer: s, verifier: v, vkey: vkey}, nil
}

// publicKeyOf derives the verifier key text from a note Ed25519 private key
// ("PRIVATE+KEY+name+hash+base64(alg ‖ seed)").
func publicKeyOf(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("translog: the checkpoint signing key is not a note private key")
	}
	seed, err := decodeKeyData(parts[4])
	if err != nil || len(seed) != 33 || seed[0] != 1 {
		return "", errors.New("translog: the checkpoint signing key is not an Ed25519 note key")
	}
	return ed25519VerifierKey(parts[2], seed[1:])
}

// GenerateSignerKey makes a new note private key named name from rand. The
// name is the log's origin: it should be unique to the deployment.
func GenerateSignerKey(rnd io.Reader, name string) (string, error) {
	skey, _, err := note.GenerateKey(rnd, name)
	if err != nil {
		return "", fmt.Errorf("translog: generate checkpoint key: %w", err)
	}
	return skey, nil
}

// LoadSigner reads the checkpoint signing key from path. When the file does
// not exist it creates it (mode 0600, never overwriting) with a new key named
// "admit-audit-" and 8 random hex digits, and reports created. A file that
// others may read is refused.
func LoadSigner(path string, rnd io.Reader) (s *Signer, created bool, err error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		var tag [4]byte
		if _, err := io.ReadFull(rnd, tag[:]); err != nil {
			return nil, false, err
		}
		skey, err := GenerateSignerKey(rnd, "admit-audit-"+hex.EncodeToString(tag[:]))
		if err != nil {
			return nil, false, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("translog: create checkpoint key: %w", err)
		}
		if _, err := f.WriteString(skey + "\n"); err != nil {
			f.Close()
			os.Remove(path)
			return nil, false, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			os.Remove(path)
			return nil, false, err
		}
		if err := f.Close(); err != nil {
			return nil, false, err
		}
		s, err := NewSigner(skey)
		return s, true, err
	} else if err != nil {
		return nil, false, fmt.Errorf("translog: read checkpoint key: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("translog: %s may be read by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	s, err = NewSigner(string(b))
	return s, false, err
}

// Origin returns the log's origin, the name of its key.
func (s *Signer) Origin() string { return s.verifier.Name() }

// PublicKey returns the note verifier key ("name+hash+base64"), which
// anyone may hold to check checkpoints; it is no secret.
func (s *Signer) PublicKey() string { return s.vkey }

// Verifier returns the verifier of the Signer's checkpoints.
func (s *Signer) Verifier() note.Verifier { return s.verifier }

// Sign signs a checkpoint of the first size entries with root hash root at
// time at, and returns it with its note.
func (s *Signer) Sign(size uint64, root []byte, at time.Time) (Checkpoint, error) {
	at = at.UTC().Truncate(time.Second)
	body := log.Checkpoint{Origin: s.Origin(), Size: size, Hash: root}.Marshal()
	body = append(body, timeLine+at.Format(time.RFC3339)+"\n"...)
	msg, err := note.Sign(&note.Note{Text: string(body)}, s.signer)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: sign checkpoint: %w", err)
	}
	return Checkpoint{Origin: s.Origin(), Size: size, Root: append([]byte(nil), root...), Time: at, Note: msg}, nil
}

// NewVerifier returns the verifier for a public key as PublicKey prints it.
func NewVerifier(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, fmt.Errorf("translog: checkpoint public key: %w", err)
	}
	return v, nil
}

// ParseCheckpoint checks the signature of a checkpoint note with v (whose
// name is the log's origin) and returns the checkpoint. It fails when the
// note is not signed by v's key, is not a checkpoint, or names another log.
func ParseCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	cp, rest, _, err := log.ParseCheckpoint(msg, v.Name(), v)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: checkpoint: %w", err)
	}
	out := Checkpoint{Origin: cp.Origin, Size: cp.Size, Root: cp.Hash, Note: append([]byte(nil), msg...)}
	if len(cp.Hash) != 32 {
		return Checkpoint{}, errors.New("translog: checkpoint: the root hash is not 32 bytes")
	}
	for _, line := range bytes.Split(rest, []byte("\n")) {
		if t, ok := bytes.CutPrefix(line, []byte(timeLine)); ok {
			if out.Time, err = time.Parse(time.RFC3339, string(t)); err != nil {
				return Checkpoint{}, fmt.Errorf("translog: checkpoint: bad time line: %w", err)
			}
		}
	}
	return out, nil
}

// LatestCheckpoint returns the store's latest checkpoint after checking its
// signature with v (with the store's ID and WitnessedAt kept), and false
// when the store has none.
func LatestCheckpoint(ctx context.Context, s Store, v note.Verifier) (Checkpoint, bool, error) {
	stored, ok, err := s.LatestCheckpoint(ctx)
	if err != nil || !ok {
		return Checkpoint{}, false, err
	}
	cp, err := ParseCheckpoint(stored.Note, v)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("translog: the latest checkpoint in the store (number %d) is not signed by the log's key: %w", stored.ID, err)
	}
	cp.ID, cp.WitnessedAt = stored.ID, stored.WitnessedAt
	return cp, true, nil
}

package keys

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The key file. A new one holds one line, the root key in hex. Rotation
// adds lines:
//
//	<root hex>          the root: index, audit and admission keys derive from it
//	seal 2 <hex>        a sealing key of version 2 (version 1 derives from the root)
//	retired 1           sealing key version 1 opens nothing any more
//
// The newest sealing version not retired is current. The root is never
// rotated: link and API tokens are stored only as keyed hashes under keys
// derived from it, and cannot be hashed again without their values.
type keyFile struct {
	root    []byte
	seals   map[byte][]byte // explicit sealing keys, by version
	retired map[byte]bool
}

func parseKeyFile(path string, b []byte) (*keyFile, error) {
	kf := &keyFile{seals: map[byte][]byte{}, retired: map[byte]bool{}}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		bad := fmt.Errorf("keys: %s line %d is not a key file line", path, n)
		switch {
		case len(f) == 0:
		case len(f) == 1 && kf.root == nil:
			k, err := hex.DecodeString(f[0])
			if err != nil || len(k) != MasterKeySize {
				return nil, fmt.Errorf("keys: %s does not hold a hex key", path)
			}
			kf.root = k
		case len(f) == 3 && f[0] == "seal":
			v, err := strconv.Atoi(f[1])
			k, err2 := hex.DecodeString(f[2])
			if err != nil || err2 != nil || v < 2 || v > 255 || len(k) != 32 {
				return nil, bad
			}
			kf.seals[byte(v)] = k
		case len(f) == 2 && f[0] == "retired":
			v, err := strconv.Atoi(f[1])
			if err != nil || v < 1 || v > 255 {
				return nil, bad
			}
			kf.retired[byte(v)] = true
		default:
			return nil, bad
		}
	}
	if kf.root == nil {
		return nil, fmt.Errorf("keys: %s does not hold a hex key", path)
	}
	return kf, nil
}

func (kf *keyFile) encode() []byte {
	var b bytes.Buffer
	fmt.Fprintln(&b, hex.EncodeToString(kf.root))
	var vs []int
	for v := range kf.seals {
		vs = append(vs, int(v))
	}
	sort.Ints(vs)
	for _, v := range vs {
		fmt.Fprintf(&b, "seal %d %s\n", v, hex.EncodeToString(kf.seals[byte(v)]))
	}
	vs = vs[:0]
	for v := range kf.retired {
		vs = append(vs, int(v))
	}
	sort.Ints(vs)
	for _, v := range vs {
		fmt.Fprintf(&b, "retired %d\n", v)
	}
	return b.Bytes()
}

// sealSet is the sealing keys in force.
type sealSet struct {
	aeads   map[byte]cipher.AEAD
	current byte
}

func newSealSet(kf *keyFile) (*sealSet, error) {
	set := &sealSet{aeads: map[byte]cipher.AEAD{}}
	keys := map[byte][]byte{}
	if !kf.retired[1] {
		k, err := hkdf.Key(sha256.New, kf.root, nil, "admit seal v1", 32)
		if err != nil {
			return nil, err
		}
		keys[1] = k
	}
	for v, k := range kf.seals {
		if !kf.retired[v] {
			keys[v] = k
		}
	}
	for v, k := range keys {
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		if set.aeads[v], err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
		if v > set.current {
			set.current = v
		}
	}
	if set.current == 0 {
		return nil, fmt.Errorf("keys: every sealing key is retired")
	}
	return set, nil
}

// watchedFile notices when the key file changes.
type watchedFile struct {
	path string
	mu   sync.Mutex
	mod  time.Time
	size int64
	seen time.Time // when the file was last looked at
}

// stat records the file's state and reports whether it changed.
func (w *watchedFile) stat() bool {
	fi, err := os.Stat(w.path)
	if err != nil {
		return false
	}
	changed := !fi.ModTime().Equal(w.mod) || fi.Size() != w.size
	w.mod, w.size, w.seen = fi.ModTime(), fi.Size(), time.Now()
	return changed
}

// reloadIfChanged reads the key file again when it changed (looking at most
// every 100 ms), and reports whether it did.
func (r *Ring) reloadIfChanged() bool {
	if r.file == nil {
		return false
	}
	r.file.mu.Lock()
	defer r.file.mu.Unlock()
	if time.Since(r.file.seen) < 100*time.Millisecond || !r.file.stat() {
		return false
	}
	b, err := os.ReadFile(r.file.path)
	if err != nil {
		return false
	}
	kf, err := parseKeyFile(r.file.path, b)
	if err != nil || !bytes.Equal(kf.root, r.root) {
		return false // never switch roots under a running process
	}
	set, err := newSealSet(kf)
	if err != nil {
		return false
	}
	r.seals.Store(set)
	return true
}

// Reload reads the key file again now.
func (r *Ring) Reload() {
	if r.file != nil {
		r.file.mu.Lock()
		r.file.seen = time.Time{}
		r.file.mod = time.Time{}
		r.file.mu.Unlock()
		r.reloadIfChanged()
	}
}

// Rotate adds a new random sealing key to the key file at path and makes it
// current, returning its version. Running processes pick it up the next
// time they seal or meet a value sealed under it.
func Rotate(path string) (byte, error) {
	return updateKeyFile(path, func(kf *keyFile) (byte, error) {
		next := 2
		for v := range kf.seals {
			if int(v) >= next {
				next = int(v) + 1
			}
		}
		if next > 255 {
			return 0, fmt.Errorf("keys: no sealing key version left")
		}
		k := make([]byte, 32)
		if _, err := io.ReadFull(rand.Reader, k); err != nil {
			return 0, err
		}
		kf.seals[byte(next)] = k
		return byte(next), nil
	})
}

// Retire retires every sealing key older than version keep, and forgets
// their key material.
func Retire(path string, keep byte) error {
	_, err := updateKeyFile(path, func(kf *keyFile) (byte, error) {
		for v := byte(1); v < keep; v++ {
			kf.retired[v] = true
			delete(kf.seals, v)
		}
		return keep, nil
	})
	return err
}

// updateKeyFile rewrites the key file through change, atomically (a new file
// renamed over the old, mode 0600, synced).
func updateKeyFile(path string, change func(*keyFile) (byte, error)) (byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	kf, err := parseKeyFile(path, b)
	if err != nil {
		return 0, err
	}
	v, err := change(kf)
	if err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".admit.key.*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return 0, err
	}
	if _, err := tmp.Write(kf.encode()); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	return v, os.Rename(tmp.Name(), path)
}

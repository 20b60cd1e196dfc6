package translog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// A Witness keeps checkpoints outside the store, so that a log rewritten,
// truncated or wiped in the store can be caught against what was published.
// A witness refuses a checkpoint that does not extend the last one it holds.
type Witness interface {
	// Add asks the witness to record cp. prove returns the consistency
	// proof from the tree of size oldSize (the witness's last checkpoint) to
	// cp's. It returns a *RefusedError when the witness refuses cp.
	Add(ctx context.Context, cp Checkpoint, prove ProveFunc) error
	// String names the witness for logs and messages.
	String() string
}

// ProveFunc returns the consistency proof from the tree of size oldSize to
// the tree of the checkpoint being witnessed.
type ProveFunc func(ctx context.Context, oldSize uint64) ([][]byte, error)

// RefusedError is a witness's refusal of a checkpoint: the log it sent does
// not extend the one the witness holds (or is not signed by the log's key).
type RefusedError struct {
	Witness string
	Reason  string
}

// Error implements the error interface.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("translog: witness %s refused the checkpoint: %s", e.Witness, e.Reason)
}

// oldSizeError says the sender's idea of the witness's last size is wrong.
type oldSizeError struct{ latest uint64 }

func (e *oldSizeError) Error() string {
	return fmt.Sprintf("translog: the witness holds a checkpoint of size %d", e.latest)
}

// witnessRecord is one line of a file witness.
type witnessRecord struct {
	WitnessedAt time.Time `json:"witnessed_at"`
	Checkpoint  string    `json:"checkpoint"` // the signed note
}

// FileWitness keeps every checkpoint it accepts, one JSON line each
// ({"witnessed_at", "checkpoint"}), appended to a file (mode 0600) that is
// synced before Add returns. Put the file on another volume than the store,
// or better another machine's.
type FileWitness struct {
	path string
	v    note.Verifier
	now  func() time.Time

	mu     sync.Mutex
	f      *os.File
	latest *Checkpoint
}

// OpenFileWitness opens (or creates) the witness file at path for the log
// whose checkpoints v verifies. Every record already in it must be a
// checkpoint signed by v's key, in non-decreasing size.
func OpenFileWitness(path string, v note.Verifier, now func() time.Time) (*FileWitness, error) {
	if now == nil {
		now = time.Now
	}
	cps, err := ReadWitnessFile(path, v)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("translog: open witness file: %w", err)
	}
	w := &FileWitness{path: path, v: v, now: now, f: f}
	if len(cps) > 0 {
		w.latest = &cps[len(cps)-1]
	}
	return w, nil
}

// ReadWitnessFile returns the checkpoints of a witness file, oldest first,
// each with its WitnessedAt, after checking every signature with v.
func ReadWitnessFile(path string, v note.Verifier) ([]Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Checkpoint
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var rec witnessRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("translog: witness file %s, line %d: %w", path, line, err)
		}
		cp, err := ParseCheckpoint([]byte(rec.Checkpoint), v)
		if err != nil {
			return nil, fmt.Errorf("translog: witness file %s, line %d: %w", path, line, err)
		}
		if n := len(out); n > 0 && cp.Size < out[n-1].Size {
			return nil, fmt.Errorf("translog: witness file %s, line %d: its checkpoint (size %d) is smaller than the one before (size %d)", path, line, cp.Size, out[n-1].Size)
		}
		cp.WitnessedAt = rec.WitnessedAt
		out = append(out, cp)
	}
	return out, sc.Err()
}

// String implements Witness.
func (w *FileWitness) String() string { return "file:" + w.path }

// Latest returns the last checkpoint the witness accepted.
func (w *FileWitness) Latest() (Checkpoint, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.latest == nil {
		return Checkpoint{}, false
	}
	return *w.latest, true
}

// Close closes the file.
func (w *FileWitness) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.f.Close()
}

// Add implements Witness.
func (w *FileWitness) Add(ctx context.Context, cp Checkpoint, prove ProveFunc) error {
	for range 2 {
		latest, _ := w.Latest()
		var p [][]byte
		if cp.Size > latest.Size {
			var err error
			if p, err = prove(ctx, latest.Size); err != nil {
				return err
			}
		}
		err := w.addProved(cp.Note, latest.Size, p)
		var old *oldSizeError
		if errors.As(err, &old) {
			continue // another writer moved it: once more
		}
		return err
	}
	return &RefusedError{Witness: w.String(), Reason: "its last checkpoint keeps changing"}
}

// addProved records the checkpoint note msg given the consistency proof p
// from oldSize, the size the sender believes the witness holds.
func (w *FileWitness) addProved(msg []byte, oldSize uint64, p [][]byte) error {
	cp, err := ParseCheckpoint(msg, w.v)
	if err != nil {
		return &RefusedError{Witness: w.String(), Reason: err.Error()}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.latest != nil {
		switch {
		case cp.Size < w.latest.Size:
			return &RefusedError{Witness: w.String(), Reason: fmt.Sprintf("its size %d is smaller than the witnessed checkpoint's (%d): the log was truncated or rewritten", cp.Size, w.latest.Size)}
		case cp.Size == w.latest.Size:
			if !sameHash(cp.Root, w.latest.Root) {
				return &RefusedError{Witness: w.String(), Reason: fmt.Sprintf("its root differs from the witnessed checkpoint's of the same size %d: the log was rewritten", cp.Size)}
			}
			return nil // held already
		case oldSize != w.latest.Size:
			return &oldSizeError{latest: w.latest.Size}
		}
		if err := VerifyConsistency(*w.latest, cp, p); err != nil {
			return &RefusedError{Witness: w.String(), Reason: fmt.Sprintf("it does not extend the witnessed checkpoint of size %d: the log was rewritten", w.latest.Size)}
		}
	}
	cp.WitnessedAt = w.now().UTC()
	line, err := json.Marshal(witnessRecord{WitnessedAt: cp.WitnessedAt, Checkpoint: string(cp.Note)})
	if err != nil {
		return err
	}
	if _, err := w.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("translog: witness file: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("translog: witness file: %w", err)
	}
	w.latest = &cp
	return nil
}

// The HTTP witness protocol follows C2SP tlog-witness's add-checkpoint
// (without cosignatures): the body is "old <size>\n", then the consistency
// proof's hashes in base64, one a line, then an empty line, then the signed
// checkpoint. The witness answers 200 when it holds the checkpoint, 409
// Conflict with its last size (text/x.tlog.size) when "old" is not that
// size, 422 when the proof does not show the checkpoint extends its last,
// 403 when the checkpoint is not signed by the log's key, and 400 for a
// malformed body.

// maxWitnessBody bounds an add-checkpoint body.
const maxWitnessBody = 64 << 10

// WitnessHandler serves the add-checkpoint protocol (POST) in front of a
// FileWitness, so that another deployment (or any HTTP service speaking the
// protocol) can witness this log; GET answers the latest checkpoint it
// holds (404 before the first).
func WitnessHandler(w *FileWitness) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			cp, ok := w.Latest()
			if !ok {
				http.Error(rw, "the witness holds no checkpoint yet", http.StatusNotFound)
				return
			}
			rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
			rw.Write(cp.Note)
			return
		}
		if r.Method != http.MethodPost {
			rw.Header().Set("Allow", "GET, POST")
			http.Error(rw, "POST an add-checkpoint request", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxWitnessBody+1))
		if err != nil || len(body) > maxWitnessBody {
			http.Error(rw, "the request body is too large or unreadable", http.StatusBadRequest)
			return
		}
		old, p, msg, err := parseAddCheckpoint(body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		err = w.addProved(msg, old, p)
		var refused *RefusedError
		var oldErr *oldSizeError
		switch {
		case err == nil:
			rw.WriteHeader(http.StatusOK)
		case errors.As(err, &oldErr):
			rw.Header().Set("Content-Type", "text/x.tlog.size")
			rw.WriteHeader(http.StatusConflict)
			fmt.Fprintf(rw, "%d\n", oldErr.latest)
		case errors.As(err, &refused) && strings.Contains(refused.Reason, "signature"):
			http.Error(rw, refused.Reason, http.StatusForbidden)
		case errors.As(err, &refused):
			http.Error(rw, refused.Reason, http.StatusUnprocessableEntity)
		default:
			http.Error(rw, "the witness could not record the checkpoint", http.StatusInternalServerError)
		}
	})
}

// parseAddCheckpoint splits an add-checkpoint body.
func parseAddCheckpoint(body []byte) (old uint64, p [][]byte, msg []byte, err error) {
	head, msg, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return 0, nil, nil, errors.New("the body has no empty line before the checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	s, ok := strings.CutPrefix(lines[0], "old ")
	if !ok {
		return 0, nil, nil, errors.New(`the body does not start with "old <size>"`)
	}
	if old, err = strconv.ParseUint(s, 10, 64); err != nil {
		return 0, nil, nil, errors.New("the old size is not a number")
	}
	for _, l := range lines[1:] {
		h, err := base64.StdEncoding.DecodeString(l)
		if err != nil || len(h) != 32 {
			return 0, nil, nil, errors.New("a proof line is not a base64 SHA-256 hash")
		}
		p = append(p, h)
	}
	return old, p, msg, nil
}

// HTTPWitness sends checkpoints to a witness over HTTP (the add-checkpoint
// protocol of WitnessHandler).
type HTTPWitness struct {
	URL    string
	Client *http.Client // nil: a client with a 10 s timeout

	mu   sync.Mutex
	size uint64 // the witness's last size, as last learnt
}

// String implements Witness.
func (w *HTTPWitness) String() string { return w.URL }

// Add implements Witness.
func (w *HTTPWitness) Add(ctx context.Context, cp Checkpoint, prove ProveFunc) error {
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	w.mu.Lock()
	old := w.size
	w.mu.Unlock()
	for range 2 {
		if old > cp.Size {
			return &RefusedError{Witness: w.String(), Reason: fmt.Sprintf("it holds a checkpoint of size %d, larger than this one's (%d): the log was truncated or rewritten", old, cp.Size)}
		}
		p, err := prove(ctx, old)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, "old %d\n", old)
		for _, h := range p {
			b.WriteString(base64.StdEncoding.EncodeToString(h) + "\n")
		}
		b.WriteString("\n")
		b.Write(cp.Note)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, &b)
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "text/plain; charset=utf-8")
		resp, err := c.Do(req)
		if err != nil {
			return fmt.Errorf("translog: witness %s: %w", w.URL, err)
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			w.mu.Lock()
			w.size = cp.Size
			w.mu.Unlock()
			return nil
		case http.StatusConflict:
			n, err := strconv.ParseUint(strings.TrimSpace(string(msg)), 10, 64)
			if err != nil {
				return fmt.Errorf("translog: witness %s: 409 without a size", w.URL)
			}
			old = n
			w.mu.Lock()
			w.size = n
			w.mu.Unlock()
			continue
		case http.StatusUnprocessableEntity, http.StatusForbidden:
			return &RefusedError{Witness: w.String(), Reason: strings.TrimSpace(string(msg))}
		default:
			return fmt.Errorf("translog: witness %s: %s: %s", w.URL, resp.Status, strings.TrimSpace(string(msg)))
		}
	}
	return fmt.Errorf("translog: witness %s: its last size keeps changing", w.URL)
}

// ReadCheckpointFile reads a checkpoint an auditor kept: a file holding a
// signed checkpoint note as `admit audit checkpoint` prints it, or a file
// witness's records, whose last checkpoint it takes. The signature is
// checked with v.
func ReadCheckpointFile(path string, v note.Verifier) (Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Checkpoint{}, err
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		cps, err := ReadWitnessFile(path, v)
		if err != nil {
			return Checkpoint{}, err
		}
		if len(cps) == 0 {
			return Checkpoint{}, fmt.Errorf("translog: %s holds no checkpoint", path)
		}
		return cps[len(cps)-1], nil
	}
	return ParseCheckpoint(b, v)
}

// Latest fetches the latest checkpoint the witness holds (GET on its URL),
// checked with v; false when it holds none yet.
func (w *HTTPWitness) Latest(ctx context.Context, v note.Verifier) (Checkpoint, bool, error) {
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.URL, nil)
	if err != nil {
		return Checkpoint{}, false, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("translog: witness %s: %w", w.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxWitnessBody))
	if err != nil {
		return Checkpoint{}, false, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
		cp, err := ParseCheckpoint(body, v)
		return cp, err == nil, err
	case http.StatusNotFound:
		return Checkpoint{}, false, nil
	}
	return Checkpoint{}, false, fmt.Errorf("translog: witness %s: %s", w.URL, resp.Status)
}

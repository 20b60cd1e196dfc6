package translog_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/admit-project/admit/translog"
	"github.com/admit-project/admit/translog/memstore"
)

// checkpointAt returns the store's checkpoint of the size.
func checkpointAt(tb testing.TB, s *memstore.Store, size uint64) translog.Checkpoint {
	tb.Helper()
	cps, err := s.Checkpoints(context.Background(), size, -1, 100)
	if err != nil || len(cps) == 0 || cps[0].Size != size {
		tb.Fatalf("no checkpoint of size %d: %v", size, err)
	}
	return cps[0]
}

func TestFileWitness(t *testing.T) {
	f := newFixture(t)
	f.build(t, 3, 10)
	ctx := context.Background()
	lines, err := translog.ReadWitnessFile(f.wpath, f.signer.Verifier())
	if err != nil || len(lines) != 3 || lines[2].Size != 30 || lines[2].WitnessedAt.IsZero() {
		t.Fatalf("witness file: %d records, %v", len(lines), err)
	}
	fi, _ := os.Stat(f.wpath)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("witness file mode %v", fi.Mode().Perm())
	}
	cp, _, _ := f.store.LatestCheckpoint(ctx)
	if cp.WitnessedAt.IsZero() {
		t.Error("the store does not say when the latest checkpoint was witnessed")
	}

	// Again the same: held already.
	if err := f.witness.Add(ctx, checkpointAt(t, f.store, 30), translog.ConsistencyProver(f.store, 30)); err != nil {
		t.Errorf("the same checkpoint again: %v", err)
	}
	// Older: refused.
	older := checkpointAt(t, f.store, 20)
	var refused *translog.RefusedError
	if err := f.witness.Add(ctx, older, translog.ConsistencyProver(f.store, 20)); !errors.As(err, &refused) {
		t.Errorf("an older checkpoint: %v, want refused", err)
	}
	// Another tree of the same size (a fork): refused.
	fork, _ := f.signer.Sign(30, make([]byte, 32), f.clock.Now())
	if err := f.witness.Add(ctx, fork, translog.ConsistencyProver(f.store, 30)); !errors.As(err, &refused) {
		t.Errorf("a fork of the same size: %v, want refused", err)
	}
	// A larger tree whose proof does not hold: refused.
	bigger, _ := f.signer.Sign(40, make([]byte, 32), f.clock.Now())
	if err := f.witness.Add(ctx, bigger, translog.ConsistencyProver(f.store, 30)); !errors.As(err, &refused) {
		t.Errorf("a larger tree that does not extend: %v, want refused", err)
	}
	// Not signed by the log's key: refused.
	stranger, _ := mustSigner(t).Sign(40, make([]byte, 32), f.clock.Now())
	if err := f.witness.Add(ctx, stranger, translog.ConsistencyProver(f.store, 30)); !errors.As(err, &refused) {
		t.Errorf("a checkpoint of another key: %v, want refused", err)
	}
	// Reopened, it still holds 30 and accepts 40.
	f.witness.Close()
	w, err := translog.OpenFileWitness(f.wpath, f.signer.Verifier(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got, _ := w.Latest(); got.Size != 30 {
		t.Fatalf("reopened witness holds size %d, want 30", got.Size)
	}
	f.witness = w
	f.in = f.integrator()
	f.add(t, 30, 10)
	if got, _ := w.Latest(); got.Size != 40 {
		t.Errorf("after a pass the witness holds size %d, want 40", got.Size)
	}
	if got, err := translog.ReadWitnessFile(f.wpath, f.signer.Verifier()); err != nil || len(got) != 4 {
		t.Errorf("witness file: %d records, %v", len(got), err)
	}
	// A witness file someone rewrote to go backwards is refused on open.
	b, _ := os.ReadFile(f.wpath)
	ls := strings.SplitAfter(strings.TrimSpace(string(b)), "\n")
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte(ls[3]+"\n"+ls[0]), 0o600)
	if _, err := translog.OpenFileWitness(bad, f.signer.Verifier(), nil); err == nil {
		t.Error("a witness file going backwards opened")
	}
}

func TestHTTPWitness(t *testing.T) {
	f := newFixture(t)
	remote, err := translog.OpenFileWitness(filepath.Join(t.TempDir(), "remote.jsonl"), f.signer.Verifier(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer remote.Close()
	srv := httptest.NewServer(translog.WitnessHandler(remote))
	defer srv.Close()
	hw := &translog.HTTPWitness{URL: srv.URL}
	f.in.Witnesses = append(f.in.Witnesses, hw)
	f.build(t, 3, 10)
	if got, _ := remote.Latest(); got.Size != 30 {
		t.Fatalf("the HTTP witness holds size %d, want 30", got.Size)
	}
	ctx := context.Background()
	// A client that does not know the witness's size learns it (409) and
	// sends the right proof.
	f.add(t, 30, 10)
	fresh := &translog.HTTPWitness{URL: srv.URL}
	f.add(t, 40, 10)
	if err := fresh.Add(ctx, checkpointAt(t, f.store, 50), translog.ConsistencyProver(f.store, 50)); err != nil {
		t.Fatalf("a new client: %v", err)
	}
	if got, _ := remote.Latest(); got.Size != 50 {
		t.Fatalf("the HTTP witness holds size %d, want 50", got.Size)
	}
	// A rewritten log is refused.
	var refused *translog.RefusedError
	forked, _ := f.signer.Sign(60, make([]byte, 32), f.clock.Now())
	if err := hw.Add(ctx, forked, translog.ConsistencyProver(f.store, 50)); !errors.As(err, &refused) {
		t.Errorf("a rewritten log: %v, want refused", err)
	}
	stranger, _ := mustSigner(t).Sign(60, make([]byte, 32), f.clock.Now())
	if err := hw.Add(ctx, stranger, translog.ConsistencyProver(f.store, 50)); !errors.As(err, &refused) {
		t.Errorf("another key's checkpoint: %v, want refused", err)
	}
	// Malformed bodies.
	for _, body := range []string{"", "old x\n\nx", "old 1\nnot base64\n\nx", "nothing"} {
		resp, err := http.Post(srv.URL, "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("body %q: status %d, want 400", body, resp.StatusCode)
		}
	}
	latest, ok, err := hw.Latest(ctx, f.signer.Verifier())
	if err != nil || !ok || latest.Size != 50 {
		t.Errorf("GET the latest: size %d, %v, %v", latest.Size, ok, err)
	}
	req, _ := http.NewRequest(http.MethodDelete, srv.URL, nil)
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: status %d", resp.StatusCode)
	}
}

func TestReadCheckpointFile(t *testing.T) {
	f := newFixture(t)
	f.build(t, 2, 5)
	got, err := translog.ReadCheckpointFile(f.wpath, f.signer.Verifier())
	if err != nil || got.Size != 10 {
		t.Fatalf("from the witness file: size %d, %v", got.Size, err)
	}
	note := filepath.Join(t.TempDir(), "checkpoint.txt")
	os.WriteFile(note, got.Note, 0o600)
	again, err := translog.ReadCheckpointFile(note, f.signer.Verifier())
	if err != nil || again.Size != 10 || string(again.Root) != string(got.Root) {
		t.Fatalf("from a note file: %+v, %v", again, err)
	}
	if _, err := translog.ReadCheckpointFile(note, mustSigner(t).Verifier()); err == nil {
		t.Error("a checkpoint file verified under another key")
	}
}

package translog_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/admit-project/admit/translog"
)

// FuzzWitnessHandler posts arbitrary bodies to a witness: it never accepts
// one that is not a checkpoint signed by the log's key, and never fails
// with a 500.
func FuzzWitnessHandler(f *testing.F) {
	fx := newFixture(f)
	fx.build(f, 2, 5)
	cp := checkpointAt(f, fx.store, 10)
	f.Add("old 0\n\n" + string(cp.Note))
	f.Add("old 5\nAAAA\n\n" + string(cp.Note))
	f.Add("old 18446744073709551615\n\nx")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		w, err := translog.OpenFileWitness(filepath.Join(t.TempDir(), "w.jsonl"), fx.signer.Verifier(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		rec := httptest.NewRecorder()
		translog.WitnessHandler(w).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)))
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("500 for %q", body)
		}
		if rec.Code == http.StatusOK {
			got, ok := w.Latest()
			if !ok {
				t.Fatalf("200 but nothing held for %q", body)
			}
			if _, err := translog.ParseCheckpoint(got.Note, fx.signer.Verifier()); err != nil {
				t.Fatalf("accepted an unsigned checkpoint: %q", body)
			}
		}
	})
}

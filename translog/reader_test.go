package translog_test

import (
	"context"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog"
)

func TestReader(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := &translog.Reader{Store: f.store, Verifier: f.signer.Verifier(), PublicKey: f.signer.PublicKey()}
	if _, err := r.LatestCheckpoint(ctx); admit.ErrorCode(err) != admit.ENOTFOUND {
		t.Errorf("no checkpoint yet: %v, want ENOTFOUND", err)
	}
	f.build(t, 3, 17)
	cp, err := r.LatestCheckpoint(ctx)
	if err != nil || cp.Size != 51 || cp.WitnessedAt.IsZero() || cp.PublicKey != f.signer.PublicKey() {
		t.Fatalf("latest: %+v, %v", cp, err)
	}
	in, err := r.Prove(ctx, 20)
	if err != nil || in.Entry.Seq != 20 || in.Checkpoint.Size != 51 {
		t.Fatalf("prove 20: %+v, %v", in, err)
	}
	if _, err := r.Prove(ctx, 52); admit.ErrorCode(err) != admit.ENOTFOUND {
		t.Errorf("prove past the checkpoint: %v, want ENOTFOUND", err)
	}
	for _, old := range []int64{1, 17, 34, 50, 51} {
		c, err := r.Consistency(ctx, old)
		if err != nil {
			t.Fatalf("consistency from %d: %v", old, err)
		}
		if old == 17 || old == 34 {
			kept := checkpointAt(t, f.store, uint64(old))
			parsed, _ := translog.ParseCheckpoint(kept.Note, f.signer.Verifier())
			newer, _ := translog.ParseCheckpoint([]byte(c.Checkpoint.Note), f.signer.Verifier())
			if err := translog.VerifyConsistency(parsed, newer, c.Proof); err != nil {
				t.Errorf("the proof from a kept checkpoint of size %d: %v", old, err)
			}
		}
	}
	if _, err := r.Consistency(ctx, 52); admit.ErrorCode(err) != admit.EINVALID {
		t.Errorf("consistency from past the latest: %v, want EINVALID", err)
	}
}

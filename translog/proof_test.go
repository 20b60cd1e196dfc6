package translog_test

import (
	"context"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"pgregory.net/rapid"

	"github.com/admit-project/admit/translog"
	"github.com/admit-project/admit/translog/memstore"
)

// TestProofsVerify: for logs of random sizes built in random batches, the
// inclusion proof of a random entry verifies against every checkpoint that
// covers it, and the consistency proof between two random checkpoints
// verifies; a proof checked against the wrong entry or checkpoint fails.
func TestProofsVerify(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := newFixture(t)
		ctx := context.Background()
		batches := rapid.SliceOfN(rapid.IntRange(1, 70), 1, 8).Draw(rt, "batches")
		next := 0
		for _, n := range batches {
			f.add(t, next, n)
			next += n
		}
		var cps []translog.Checkpoint
		var size uint64
		for _, n := range batches {
			size += uint64(n)
			cps = append(cps, checkpointAt(t, f.store, size))
		}
		i := rapid.IntRange(0, len(cps)-1).Draw(rt, "checkpoint")
		j := rapid.IntRange(i, len(cps)-1).Draw(rt, "newer")
		seq := rapid.Int64Range(1, int64(cps[i].Size)).Draw(rt, "seq")
		for _, cp := range []translog.Checkpoint{cps[i], cps[j]} {
			in, err := translog.InclusionProof(ctx, f.store, seq, cp)
			if err != nil {
				rt.Fatalf("inclusion of %d in %d: %v", seq, cp.Size, err)
			}
			if err := translog.VerifyInclusion(in); err != nil {
				rt.Fatalf("inclusion of %d in %d does not verify: %v", seq, cp.Size, err)
			}
			in.Entry.Detail += "x"
			if translog.VerifyInclusion(in) == nil {
				rt.Fatalf("an edited entry's inclusion verified")
			}
		}
		p, err := translog.ConsistencyProof(ctx, f.store, cps[i], cps[j])
		if err != nil {
			rt.Fatalf("consistency %d→%d: %v", cps[i].Size, cps[j].Size, err)
		}
		if err := translog.VerifyConsistency(cps[i], cps[j], p); err != nil {
			rt.Fatalf("consistency %d→%d does not verify: %v", cps[i].Size, cps[j].Size, err)
		}
		if cps[i].Size < cps[j].Size {
			wrong := cps[j]
			wrong.Root = append([]byte(nil), wrong.Root...)
			wrong.Root[0] ^= 1
			if translog.VerifyConsistency(cps[i], wrong, p) == nil {
				rt.Fatalf("consistency verified against a wrong root")
			}
		}
	})
}

// TestProofOfTamperedStoreFails: proofs from a store whose entry or node
// was changed are refused, not handed out.
func TestProofOfTamperedStoreFails(t *testing.T) {
	f := newFixture(t)
	f.build(t, 4, 25)
	ctx := context.Background()
	cp := checkpointAt(t, f.store, 100)
	f.store.Tamper(func(t *memstore.Tables) { bySeq(t, 5).Detail = "edited" })
	if _, err := translog.InclusionProof(ctx, f.store, 5, cp); err == nil {
		t.Error("the proof of an edited entry was handed out")
	}
	if _, err := translog.InclusionProof(ctx, f.store, 6, cp); err == nil {
		t.Error("a proof through an edited entry (6's sibling) was handed out")
	}
	if _, err := translog.InclusionProof(ctx, f.store, 70, cp); err != nil {
		t.Errorf("a proof that does not touch the edited entry: %v", err)
	}
	f.store.Tamper(func(t *memstore.Tables) {
		t.Nodes[compact.NewNodeID(5, 2)] = make([]byte, 32) // entries 65-96
	})
	if _, err := translog.InclusionProof(ctx, f.store, 3, cp); err == nil {
		t.Error("a proof through a changed node was handed out")
	}
	if _, err := translog.InclusionProof(ctx, f.store, 101, cp); err == nil {
		t.Error("a proof of an entry past the checkpoint")
	}
}

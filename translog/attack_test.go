package translog_test

import (
	"testing"

	"github.com/transparency-dev/merkle/compact"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog/memstore"
)

// The attacks themselves are logtest's suite, run on every store
// (memstore's is in memstore_test.go).

// bySeq returns the entry at seq.
func bySeq(t *memstore.Tables, seq int64) *admit.Event {
	for _, e := range t.Entries {
		if e.Seq == seq {
			return e
		}
	}
	return nil
}

// TestWipeWithoutWitnessGoesUnseen documents why witnesses are needed: the
// store's own checkpoints cannot catch a wipe-and-reset, since the running
// integrator signs the new log.
func TestWipeWithoutWitnessGoesUnseen(t *testing.T) {
	f := newFixture(t)
	f.build(t, 3, 10)
	f.store.Tamper(func(t *memstore.Tables) {
		*t = memstore.Tables{Nodes: map[compact.NodeID][]byte{}, NextCheckpointID: 1}
	})
	f.in = f.integrator()
	f.add(t, 1000, 5)
	rep := f.verify(t, nil)
	if rep.Problem != nil || !rep.TrustedFromStore {
		t.Fatalf("without a witnessed checkpoint: %v", rep.Problem)
	}
	if rep := f.verify(t, f.witnessed(t)); rep.Problem == nil {
		t.Fatal("against the witnessed checkpoint the wipe went unseen")
	}
}

package translog_test

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog"
	"github.com/admit-project/admit/translog/memstore"
)

// The attacker has write access to the store and no signing key. Each
// attack starts from a log of 100 entries integrated in ten passes
// (checkpoints of size 10, 20, …, 100), all published to a file witness.

// bySeq returns the entry at seq.
func bySeq(t *memstore.Tables, seq int64) *admit.Event {
	for _, e := range t.Entries {
		if e.Seq == seq {
			return e
		}
	}
	return nil
}

// rehash gives every entry from seq on a leaf hash matching its contents,
// as an attacker can (the hash is public).
func rehash(t *memstore.Tables, from int64) {
	for _, e := range t.Entries {
		if e.Seq >= from {
			e.Hash = translog.LeafHash(e)
		}
	}
}

// remove deletes the entries with seq in [from, through].
func remove(t *memstore.Tables, from, through int64) {
	t.Entries = slices.DeleteFunc(t.Entries, func(e *admit.Event) bool { return e.Seq >= from && e.Seq <= through })
}

// rollBack sets the saved tree back to its first size entries (computed
// from the entries, which anyone can) and deletes the later checkpoints.
func rollBack(t *memstore.Tables, size int64) {
	rf := &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	r := rf.NewEmptyRange(0)
	for seq := int64(1); seq <= size; seq++ {
		r.Append(translog.LeafHash(bySeq(t, seq)), nil)
	}
	t.State = translog.TreeState{Size: r.End(), Hashes: r.Hashes()}
	t.Checkpoints = slices.DeleteFunc(t.Checkpoints, func(c translog.Checkpoint) bool { return c.Size > uint64(size) })
}

// want is what verify must report.
type want struct {
	seq        int64  // the entry named, or
	checkpoint uint64 // the checkpoint failed, with
	from, thru int64  // the range of the first bad entry
}

type attack struct {
	name string
	// tamper changes the store; then, when restart is set, a new
	// integrator (as after the attacker restarts the service) adds the
	// entries numbered from 1000.
	tamper  func(t *memstore.Tables)
	restart int
	want    want
	// refused: the witness must refuse the log's next checkpoint.
	refused bool
}

var attacks = []attack{
	{name: "edit an entry", tamper: func(t *memstore.Tables) {
		bySeq(t, 37).Detail = "sso"
	}, want: want{seq: 37}},
	{name: "edit an entry and its recorded hash", tamper: func(t *memstore.Tables) {
		e := bySeq(t, 37)
		e.Actor = "user:1"
		e.Hash = translog.LeafHash(e)
	}, want: want{checkpoint: 40, from: 31, thru: 40}},
	{name: "delete an entry", tamper: func(t *memstore.Tables) {
		remove(t, 37, 37)
	}, want: want{seq: 37}},
	{name: "delete an entry and renumber the rest", tamper: func(t *memstore.Tables) {
		remove(t, 37, 37)
		for _, e := range t.Entries {
			if e.Seq > 37 {
				e.Seq--
			}
		}
		rehash(t, 37)
	}, want: want{checkpoint: 40, from: 31, thru: 40}},
	{name: "reorder two entries", tamper: func(t *memstore.Tables) {
		a, b := bySeq(t, 37), bySeq(t, 38)
		a.Seq, b.Seq = 38, 37
	}, want: want{seq: 37}},
	{name: "reorder two entries and rehash", tamper: func(t *memstore.Tables) {
		a, b := bySeq(t, 37), bySeq(t, 38)
		a.Seq, b.Seq = 38, 37
		rehash(t, 37)
	}, want: want{checkpoint: 40, from: 31, thru: 40}},
	{name: "truncate the tail", tamper: func(t *memstore.Tables) {
		remove(t, 91, 100)
		rollBack(t, 90)
	}, want: want{checkpoint: 100, from: 91, thru: 100}},
	{name: "truncate the tail and append", tamper: func(t *memstore.Tables) {
		remove(t, 91, 100)
		rollBack(t, 90)
	}, restart: 20, refused: true, want: want{checkpoint: 100, from: 91, thru: 100}},
	{name: "truncate the tail and append less than was deleted", tamper: func(t *memstore.Tables) {
		remove(t, 91, 100)
		rollBack(t, 90)
	}, restart: 5, refused: true, want: want{checkpoint: 100, from: 91, thru: 100}},
	{name: "insert with a forged hash", tamper: func(t *memstore.Tables) {
		e := event(999)
		e.Seq, e.Hash = 101, make([]byte, 32)
		t.Entries = append(t.Entries, e)
	}, want: want{seq: 101}},
	{name: "insert with a correct hash past the tree", tamper: func(t *memstore.Tables) {
		e := event(999)
		e.Seq = 101
		e.Hash = translog.LeafHash(e)
		t.Entries = append(t.Entries, e)
	}, want: want{seq: 101}},
	{name: "insert in the middle with a forged hash", tamper: func(t *memstore.Tables) {
		for _, e := range t.Entries {
			if e.Seq >= 37 {
				e.Seq++
			}
		}
		e := event(999)
		e.Seq, e.Hash = 37, bySeq(t, 38).Hash
		t.Entries = append(t.Entries, e)
	}, want: want{seq: 37}},
	{name: "insert in the middle and rehash", tamper: func(t *memstore.Tables) {
		for _, e := range t.Entries {
			if e.Seq >= 37 {
				e.Seq++
			}
		}
		e := event(999)
		e.Seq = 37
		t.Entries = append(t.Entries, e)
		rehash(t, 37)
	}, want: want{checkpoint: 40, from: 31, thru: 40}},
	{name: "wipe and restart", tamper: func(t *memstore.Tables) {
		*t = memstore.Tables{Nodes: map[compact.NodeID][]byte{}, NextCheckpointID: 1}
	}, restart: 10, refused: true, want: want{checkpoint: 100, from: 1, thru: 100}},
	{name: "wipe and restart with more entries than before", tamper: func(t *memstore.Tables) {
		*t = memstore.Tables{Nodes: map[compact.NodeID][]byte{}, NextCheckpointID: 1}
	}, restart: 150, refused: true, want: want{checkpoint: 100, from: 1, thru: 100}},
}

func TestAttacksAgainstWitnessedCheckpoint(t *testing.T) {
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			f := newFixture(t)
			f.build(t, 10, 10)
			trusted := f.witnessed(t)
			if trusted.Size != 100 {
				t.Fatalf("witnessed size %d, want 100", trusted.Size)
			}
			if rep := f.verify(t, trusted); rep.Problem != nil || rep.Entries != 100 || rep.Checkpoints != 11 {
				t.Fatalf("before the attack: %+v (problem %v)", rep, rep.Problem)
			}
			f.store.Tamper(a.tamper)
			if a.restart > 0 {
				f.in = f.integrator()
				f.add(t, 1000, a.restart)
				if got := f.witnessed(t); got.Size != 100 || !slices.Equal(got.Root, trusted.Root) {
					t.Errorf("the witness accepted the rewritten log's checkpoint of size %d", got.Size)
				}
				if a.refused {
					refusedCheck(t, f)
					if !strings.Contains(f.logs.String(), "REFUSED") {
						t.Errorf("the integrator did not log the witness's refusal; log:\n%s", f.logs)
					}
				}
			}
			rep := f.verify(t, trusted)
			p := rep.Problem
			if p == nil {
				t.Fatalf("verify found nothing wrong (%d entries, %d checkpoints)", rep.Entries, rep.Checkpoints)
			}
			t.Logf("verify: %s", p)
			if a.want.seq != 0 {
				if p.Seq != a.want.seq {
					t.Errorf("named entry %d (%s), want entry %d", p.Seq, p, a.want.seq)
				}
				if !strings.Contains(p.String(), "entry ") {
					t.Errorf("the report %q does not name the entry", p)
				}
			} else {
				if p.Seq != 0 || p.Checkpoint != a.want.checkpoint || p.From != a.want.from || p.Through != a.want.thru {
					t.Errorf("got seq %d checkpoint %d range %d-%d (%s), want checkpoint %d range %d-%d",
						p.Seq, p.Checkpoint, p.From, p.Through, p, a.want.checkpoint, a.want.from, a.want.thru)
				}
				if !strings.Contains(p.String(), "checkpoint of size ") {
					t.Errorf("the report %q does not name the checkpoint", p)
				}
			}
		})
	}
}

// refusedCheck sends the store's latest checkpoint to the witness once
// more and wants it refused.
func refusedCheck(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	cp, ok, err := f.store.LatestCheckpoint(ctx)
	if err != nil || !ok {
		t.Fatalf("latest checkpoint: %v %v", ok, err)
	}
	err = f.witness.Add(ctx, cp, translog.ConsistencyProver(f.store, cp.Size))
	var refused *translog.RefusedError
	if !errors.As(err, &refused) {
		t.Errorf("the witness did not refuse the rewritten log's checkpoint (size %d): %v", cp.Size, err)
	} else {
		t.Logf("witness: %v", err)
	}
}

// TestTheSameIntegratorRefusesARolledBackTree: an integrator that signed a
// tree does not sign a smaller one, nor a tree that is not the latest
// stored checkpoint's.
func TestTheSameIntegratorRefusesARolledBackTree(t *testing.T) {
	f := newFixture(t)
	f.build(t, 10, 10)
	f.store.Tamper(func(t *memstore.Tables) { remove(t, 91, 100); rollBack(t, 90) })
	f.store.Append(context.Background(), event(1000))
	if _, err := f.in.Step(context.Background()); !errors.Is(err, translog.ErrStateMismatch) {
		t.Errorf("step after a roll-back: %v, want ErrStateMismatch", err)
	}
	// The state moved without its checkpoint: a new integrator refuses too.
	f.store.Tamper(func(t *memstore.Tables) { t.State.Size = 95 })
	if _, err := f.integrator().Step(context.Background()); !errors.Is(err, translog.ErrStateMismatch) {
		t.Errorf("step on a state without its checkpoint: %v, want ErrStateMismatch", err)
	}
}

// TestForgedCheckpointInStore: a checkpoint the attacker signs with
// another key is named.
func TestForgedCheckpointInStore(t *testing.T) {
	f := newFixture(t)
	f.build(t, 3, 10)
	other, err := translog.GenerateSignerKey(rand.Reader, f.signer.Origin())
	if err != nil {
		t.Fatal(err)
	}
	os, err := translog.NewSigner(other)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := os.Sign(30, make([]byte, 32), f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	f.store.Tamper(func(t *memstore.Tables) {
		forged.ID = t.NextCheckpointID
		t.Checkpoints = append(t.Checkpoints, forged)
	})
	rep := f.verify(t, f.witnessed(t))
	if rep.Problem == nil || rep.Problem.Checkpoint != 30 || !strings.Contains(rep.Problem.Reason, "forged") {
		t.Fatalf("got %v, want the forged checkpoint of size 30 named", rep.Problem)
	}
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

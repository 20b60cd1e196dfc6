package translog

import (
	"context"
	"errors"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"

	"github.com/admit-project/admit"
)

// Reader is admit.AuditLog on a Store: the latest checkpoint and proofs,
// each checked against the latest checkpoint's signature and root before
// it is returned.
type Reader struct {
	Store     Store
	Verifier  note.Verifier
	PublicKey string // the verifier key text, handed out with checkpoints
}

var _ admit.AuditLog = (*Reader)(nil)

func (r *Reader) latest(ctx context.Context) (Checkpoint, error) {
	cp, ok, err := LatestCheckpoint(ctx, r.Store, r.Verifier)
	if err != nil {
		return Checkpoint{}, err
	}
	if !ok {
		return Checkpoint{}, admit.Errorf(admit.ENOTFOUND, "The audit log has no signed checkpoint yet.")
	}
	return cp, nil
}

// domain returns cp as the domain's AuditCheckpoint.
func (r *Reader) domain(cp Checkpoint) admit.AuditCheckpoint {
	return admit.AuditCheckpoint{Size: int64(cp.Size), Root: cp.Root, SignedAt: cp.Time, WitnessedAt: cp.WitnessedAt,
		Note: string(cp.Note), PublicKey: r.PublicKey}
}

// LatestCheckpoint implements admit.AuditLog.
func (r *Reader) LatestCheckpoint(ctx context.Context) (*admit.AuditCheckpoint, error) {
	cp, err := r.latest(ctx)
	if err != nil {
		return nil, err
	}
	d := r.domain(cp)
	return &d, nil
}

// Prove implements admit.AuditLog.
func (r *Reader) Prove(ctx context.Context, seq int64) (*admit.AuditInclusion, error) {
	cp, err := r.latest(ctx)
	if err != nil {
		return nil, err
	}
	in, err := InclusionProof(ctx, r.Store, seq, cp)
	if err != nil {
		return nil, err
	}
	return &admit.AuditInclusion{Entry: in.Entry, LeafHash: in.LeafHash, Index: int64(in.Index), Proof: in.Proof, Checkpoint: r.domain(cp)}, nil
}

// Consistency implements admit.AuditLog.
func (r *Reader) Consistency(ctx context.Context, oldSize int64) (*admit.AuditConsistency, error) {
	cp, err := r.latest(ctx)
	if err != nil {
		return nil, err
	}
	if oldSize < 1 || uint64(oldSize) > cp.Size {
		return nil, admit.FieldErrorf("old_size", "old_size must be from 1 to the latest checkpoint's size (%d)", cp.Size)
	}
	root, err := RootAt(ctx, r.Store, uint64(oldSize))
	if err != nil {
		return nil, err
	}
	p, err := ConsistencyProof(ctx, r.Store, Checkpoint{Size: uint64(oldSize), Root: root}, cp)
	if err != nil {
		return nil, err
	}
	return &admit.AuditConsistency{OldSize: oldSize, OldRoot: root, Proof: p, Checkpoint: r.domain(cp)}, nil
}

// RootAt returns the root hash of the tree of the first size entries, from
// the store's nodes (and entries). It is what the store says: compare it
// with a checkpoint, or check it with a consistency proof.
func RootAt(ctx context.Context, s Store, size uint64) ([]byte, error) {
	if size == 0 {
		return hasher.EmptyRoot(), nil
	}
	hs, err := nodeHashes(ctx, s, compact.RangeNodes(0, size, nil))
	if err != nil {
		return nil, err
	}
	rg, err := rangeFactory.NewRange(0, size, hs)
	if err != nil {
		return nil, errors.New("translog: the stored nodes do not make a tree")
	}
	return rg.GetRootHash(nil)
}

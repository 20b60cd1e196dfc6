package translog

import (
	"bytes"
	"context"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"

	"github.com/admit-project/admit"
)

// Inclusion is the proof that an entry is in the tree of a checkpoint.
type Inclusion struct {
	Entry      *admit.Event `json:"entry"`
	LeafHash   []byte       `json:"leaf_hash"` // recomputed from the entry
	Index      uint64       `json:"index"`     // Seq-1
	Checkpoint Checkpoint   `json:"checkpoint"`
	Proof      [][]byte     `json:"proof"` // RFC 6962 audit path, leaf to root
}

// InclusionProof returns the proof that entry seq, as the store holds it
// now, is in the tree of cp (whose signature the caller has checked). The
// proof is verified before it is returned, so a store whose entry or nodes
// were changed gives an error naming the entry, never a bad proof.
func InclusionProof(ctx context.Context, s Store, seq int64, cp Checkpoint) (*Inclusion, error) {
	if seq < 1 || uint64(seq) > cp.Size {
		return nil, admit.Errorf(admit.ENOTFOUND, "entry %d is not covered by the checkpoint of size %d", seq, cp.Size)
	}
	es, err := s.Entries(ctx, seq-1, 1)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 || es[0].Seq != seq {
		return nil, fmt.Errorf("translog: entry %d is missing from the store (deleted)", seq)
	}
	leaf := LeafHash(es[0])
	index := uint64(seq - 1)
	nodes, err := proof.Inclusion(index, cp.Size)
	if err != nil {
		return nil, err
	}
	p, err := rehash(ctx, s, nodes)
	if err != nil {
		return nil, err
	}
	if err := proof.VerifyInclusion(hasher, index, cp.Size, leaf, p, cp.Root); err != nil {
		return nil, fmt.Errorf("translog: entry %d as stored is not the one in the tree of checkpoint %d (the entry or the tree was changed): %w", seq, cp.Size, err)
	}
	return &Inclusion{Entry: es[0], LeafHash: leaf, Index: index, Checkpoint: cp, Proof: p}, nil
}

// VerifyInclusion checks an inclusion proof against its checkpoint's root,
// recomputing the leaf hash from the entry.
func VerifyInclusion(in *Inclusion) error {
	if in.Entry == nil || in.Entry.Seq < 1 || uint64(in.Entry.Seq-1) != in.Index {
		return fmt.Errorf("translog: the proof's entry is not at index %d", in.Index)
	}
	return proof.VerifyInclusion(hasher, in.Index, in.Checkpoint.Size, LeafHash(in.Entry), in.Proof, in.Checkpoint.Root)
}

// ConsistencyProof returns the proof that the tree of newer extends the
// tree of older (both checked by the caller), verified before it is
// returned.
func ConsistencyProof(ctx context.Context, s Store, older, newer Checkpoint) ([][]byte, error) {
	if older.Size > newer.Size {
		return nil, admit.Errorf(admit.EINVALID, "the older checkpoint (size %d) is larger than the newer (size %d)", older.Size, newer.Size)
	}
	p, err := consistency(ctx, s, older.Size, newer.Size)
	if err != nil {
		return nil, err
	}
	if err := VerifyConsistency(older, newer, p); err != nil {
		return nil, err
	}
	return p, nil
}

// VerifyConsistency checks that p proves newer extends older.
func VerifyConsistency(older, newer Checkpoint, p [][]byte) error {
	if older.Size == 0 {
		return nil // every tree extends the empty one
	}
	if err := proof.VerifyConsistency(hasher, older.Size, newer.Size, p, older.Root, newer.Root); err != nil {
		return fmt.Errorf("translog: the checkpoint of size %d does not extend the one of size %d: %w", newer.Size, older.Size, err)
	}
	return nil
}

// ConsistencyProver returns the ProveFunc a witness uses to get the
// consistency proof from its last size to newSize, built from the store and
// not checked (the witness checks it).
func ConsistencyProver(s Store, newSize uint64) ProveFunc {
	return func(ctx context.Context, oldSize uint64) ([][]byte, error) {
		if oldSize > newSize {
			return nil, fmt.Errorf("translog: no consistency proof from size %d back to %d", oldSize, newSize)
		}
		return consistency(ctx, s, oldSize, newSize)
	}
}

// consistency builds the consistency proof between the two sizes from the
// store, without checking it.
func consistency(ctx context.Context, s Store, size1, size2 uint64) ([][]byte, error) {
	if size1 == 0 || size1 == size2 {
		return [][]byte{}, nil
	}
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, err
	}
	return rehash(ctx, s, nodes)
}

// rehash fetches the hashes of a proof's nodes and builds the proof.
func rehash(ctx context.Context, s Store, nodes proof.Nodes) ([][]byte, error) {
	hashes, err := nodeHashes(ctx, s, nodes.IDs)
	if err != nil {
		return nil, err
	}
	return nodes.Rehash(hashes, hasher.HashChildren)
}

// nodeHashes returns the hashes of perfect nodes: from the store's nodes at
// StoredNodeLevel and above, and computed from the entries they cover below.
func nodeHashes(ctx context.Context, s Store, ids []compact.NodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	var stored []compact.NodeID
	var at []int
	for i, id := range ids {
		if id.Level >= StoredNodeLevel {
			stored, at = append(stored, id), append(at, i)
			continue
		}
		h, err := subtreeHash(ctx, s, id)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	if len(stored) > 0 {
		hs, err := s.Nodes(ctx, stored)
		if err != nil {
			return nil, err
		}
		for j, h := range hs {
			if len(h) == 0 {
				return nil, fmt.Errorf("translog: tree node %d/%d is missing from the store", stored[j].Level, stored[j].Index)
			}
			out[at[j]] = h
		}
	}
	return out, nil
}

// subtreeHash computes the hash of a perfect node from the entries it
// covers.
func subtreeHash(ctx context.Context, s Store, id compact.NodeID) ([]byte, error) {
	begin, end := id.Coverage()
	es, err := s.Entries(ctx, int64(begin), int(end-begin))
	if err != nil {
		return nil, err
	}
	r := rangeFactory.NewEmptyRange(begin)
	for i, e := range es {
		if e.Seq != int64(begin)+int64(i)+1 {
			break
		}
		if err := r.Append(LeafHash(e), nil); err != nil {
			return nil, err
		}
	}
	if r.End() != end {
		return nil, fmt.Errorf("translog: entry %d is missing from the store (deleted)", r.End()+1)
	}
	hs := r.Hashes()
	if len(hs) != 1 {
		return nil, fmt.Errorf("translog: node %d/%d is not a perfect subtree", id.Level, id.Index)
	}
	return hs[0], nil
}

// sameHash reports whether two hashes are equal (they are public: no
// constant time needed).
func sameHash(a, b []byte) bool { return bytes.Equal(a, b) }

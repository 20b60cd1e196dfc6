package admit

import (
	"context"
	"time"
)

// The audit log is a Merkle-tree transparency log (package translog): one
// integrator per store places new entries in the tree and signs a
// checkpoint of its size and root hash, once a second while entries
// arrive; witnesses outside the store keep the checkpoints. These are the
// domain's views of it, for the service and the edges.

// AuditCheckpoint is a signed statement of the audit log's state: that its
// first Size entries have the RFC 6962 root hash Root. Note is the signed
// note itself, which anyone holding PublicKey can check.
type AuditCheckpoint struct {
	Size        int64     `json:"size"`
	Root        []byte    `json:"root"`
	SignedAt    time.Time `json:"signed_at"`
	WitnessedAt time.Time `json:"witnessed_at,omitzero"` // when a witness first accepted it; zero if none has
	Note        string    `json:"note"`
	PublicKey   string    `json:"public_key"`
}

// AuditInclusion is the proof that an entry is in the tree of a checkpoint:
// the RFC 6962 audit path from the entry's leaf hash to the root.
type AuditInclusion struct {
	Entry      *Event          `json:"entry"`
	LeafHash   []byte          `json:"leaf_hash"`
	Index      int64           `json:"index"` // the entry's Seq - 1
	Proof      [][]byte        `json:"proof"`
	Checkpoint AuditCheckpoint `json:"checkpoint"`
}

// AuditConsistency is the proof that the tree of Checkpoint extends the
// tree of the first OldSize entries (RFC 6962 consistency proof); OldRoot
// is that tree's root as the store computes it, for the caller to compare
// with the root of the checkpoint it kept.
type AuditConsistency struct {
	OldSize    int64           `json:"old_size"`
	OldRoot    []byte          `json:"old_root"`
	Proof      [][]byte        `json:"proof"`
	Checkpoint AuditCheckpoint `json:"checkpoint"`
}

// AuditLog reads the audit log's tree. Every proof it returns it has
// checked against the latest signed checkpoint.
type AuditLog interface {
	// LatestCheckpoint returns the latest signed checkpoint; ENOTFOUND
	// before the first.
	LatestCheckpoint(ctx context.Context) (*AuditCheckpoint, error)
	// Prove returns the inclusion proof of entry seq in the tree of the
	// latest checkpoint; ENOTFOUND when no checkpoint covers it yet,
	// EINTERNAL when the stored log does not match its checkpoint.
	Prove(ctx context.Context, seq int64) (*AuditInclusion, error)
	// Consistency returns the proof that the latest checkpoint extends the
	// tree of its first oldSize entries; EINVALID when oldSize is larger
	// than the latest checkpoint or not positive.
	Consistency(ctx context.Context, oldSize int64) (*AuditConsistency, error)
}

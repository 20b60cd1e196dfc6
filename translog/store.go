package translog

import (
	"context"
	"errors"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/admit-project/admit"
)

// StoredNodeLevel is the lowest level of the tree whose nodes the store
// keeps (a node at level L covers 2^L entries). Nodes below it are computed
// from the entries they cover (at most 8 entries each) when a proof needs
// them, so the store keeps about one node per 8 entries.
const StoredNodeLevel = 4

// hasher is the RFC 6962 tree hasher (SHA-256).
var hasher = rfc6962.DefaultHasher

// rangeFactory makes compact ranges with the RFC 6962 hasher.
var rangeFactory = &compact.RangeFactory{Hash: hasher.HashChildren}

// TreeState is the tree as the integrator last saved it: its size and the
// hashes of the compact range covering its entries [0, Size), left to right.
type TreeState struct {
	Size   uint64
	Hashes [][]byte
}

// Root returns the root hash of the tree (RFC 6962's hash of the empty
// string for an empty tree).
func (s TreeState) Root() ([]byte, error) {
	if s.Size == 0 {
		return hasher.EmptyRoot(), nil
	}
	r, err := rangeFactory.NewRange(0, s.Size, s.Hashes)
	if err != nil {
		return nil, err
	}
	return r.GetRootHash(nil)
}

// Node is the hash of a perfect subtree of the tree: the node at Level
// (covering 2^Level entries) and Index within its level.
type Node struct {
	Level uint
	Index uint64
	Hash  []byte
}

// Batch is what one pass of the integrator adds to the log.
type Batch struct {
	// Entries are the entries it adds, in order, each with its Seq (its
	// place, from 1) and Hash (its leaf hash) set.
	Entries []*admit.Event
	// Nodes are the tree's new nodes at StoredNodeLevel and above.
	Nodes []Node
	// State is the tree after the batch.
	State TreeState
	// Checkpoint is the signed checkpoint of State.
	Checkpoint Checkpoint
}

// ErrTreeMoved is returned by Store.Integrate when the saved tree is no
// longer the one the batch was built on (another integrator moved it, or an
// entry of the batch was given its place already).
var ErrTreeMoved = errors.New("translog: the tree moved under the integrator")

// Store is what the log needs of a database. Writers append entries through
// the store's own methods (admit.Store), each with an identity (ID) from the
// store and no place in the tree (Seq 0) yet; this interface is the
// integrator's and the verifier's side.
type Store interface {
	// TryLead makes the caller the store's one integrator if no other holds
	// that role. ok false means another does. release gives it up; the role
	// also ends when the holder's connection or process dies (PostgreSQL:
	// a session advisory lock; SQLite: the single process).
	TryLead(ctx context.Context) (release func(), ok bool, err error)
	// Unsequenced returns up to limit entries that have no place in the tree
	// yet, in the order the store gave them their ID.
	Unsequenced(ctx context.Context, limit int) ([]*admit.Event, error)
	// TreeState returns the tree as last saved (the zero TreeState for a new
	// log).
	TreeState(ctx context.Context) (TreeState, error)
	// Integrate records b in one transaction: each entry's Seq and Hash (by
	// its ID), the nodes, the new tree state and the checkpoint. It returns
	// ErrTreeMoved, changing nothing, when the saved tree is not prev or an
	// entry of b already has a place.
	Integrate(ctx context.Context, prev TreeState, b *Batch) error
	// Entries returns up to limit entries that have a place, with Seq after
	// afterSeq, in Seq order.
	Entries(ctx context.Context, afterSeq int64, limit int) ([]*admit.Event, error)
	// Nodes returns the stored hashes of the nodes ids (each at
	// StoredNodeLevel or above), nil for a node it does not hold.
	Nodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error)
	// Checkpoints returns up to limit stored checkpoints after the position
	// (afterSize, afterID), ordered by size and then by ID (signing order);
	// each with its ID and WitnessedAt set.
	Checkpoints(ctx context.Context, afterSize uint64, afterID int64, limit int) ([]Checkpoint, error)
	// LatestCheckpoint returns the last checkpoint signed (the greatest ID),
	// and false when there is none.
	LatestCheckpoint(ctx context.Context) (Checkpoint, bool, error)
	// MarkWitnessed records that the checkpoint with the ID was accepted by
	// a witness at the time.
	MarkWitnessed(ctx context.Context, id int64, at time.Time) error
}

package memstore

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/transparency-dev/merkle/compact"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog"
)

// Store is an in-memory translog.Store. Its zero value is not usable; call
// New.
type Store struct {
	mu     sync.Mutex
	leader bool
	nextID int64
	t      Tables
	sorted bool // t.Entries is in Seq order
}

// Tables are the store's contents, as an attacker with write access sees
// them.
type Tables struct {
	// Entries are the entries that have a place in the tree (Seq > 0), in
	// any order; Pending those that have none yet, in ID order.
	Entries []*admit.Event
	Pending []*admit.Event
	// Nodes are the stored tree nodes.
	Nodes map[compact.NodeID][]byte
	// State is the saved tree state.
	State translog.TreeState
	// Checkpoints are the signed checkpoints, in signing order.
	Checkpoints []translog.Checkpoint
	// NextCheckpointID numbers the next checkpoint.
	NextCheckpointID int64
}

// New returns an empty store.
func New() *Store {
	return &Store{t: Tables{Nodes: make(map[compact.NodeID][]byte), NextCheckpointID: 1}, sorted: true}
}

// Append is the writers' side: it gives each event an ID and queues it for
// the integrator (Seq 0). The events are copied.
func (s *Store) Append(_ context.Context, events ...*admit.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range events {
		c := *e
		s.nextID++
		c.ID, c.Seq, c.Hash, c.PrevHash = s.nextID, 0, nil, nil
		e.ID = c.ID
		s.t.Pending = append(s.t.Pending, &c)
	}
	return nil
}

// Tamper calls fn with the store's tables, as an attacker with write access
// to the store would change them.
func (s *Store) Tamper(fn func(t *Tables)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.t)
	s.sorted = false
}

// TryLead implements translog.Store: one leader at a time.
func (s *Store) TryLead(context.Context) (func(), bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.leader {
		return nil, false, nil
	}
	s.leader = true
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.leader = false
			s.mu.Unlock()
		})
	}, true, nil
}

// Unsequenced implements translog.Store.
func (s *Store) Unsequenced(_ context.Context, limit int) ([]*admit.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := min(limit, len(s.t.Pending))
	out := make([]*admit.Event, n)
	for i, e := range s.t.Pending[:n] {
		c := *e
		out[i] = &c
	}
	return out, nil
}

// TreeState implements translog.Store.
func (s *Store) TreeState(context.Context) (translog.TreeState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return translog.TreeState{Size: s.t.State.Size, Hashes: slices.Clone(s.t.State.Hashes)}, nil
}

// Integrate implements translog.Store.
func (s *Store) Integrate(_ context.Context, prev translog.TreeState, b *translog.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !sameState(prev, s.t.State) {
		return translog.ErrTreeMoved
	}
	pending := make(map[int64]int, len(s.t.Pending))
	for i, e := range s.t.Pending {
		pending[e.ID] = i
	}
	taken := make(map[int]bool, len(b.Entries))
	for _, e := range b.Entries {
		i, ok := pending[e.ID]
		if !ok {
			return translog.ErrTreeMoved
		}
		taken[i] = true
	}
	s.ensureSorted()
	for _, e := range b.Entries {
		c := *s.t.Pending[pending[e.ID]]
		c.Seq, c.Hash = e.Seq, slices.Clone(e.Hash)
		s.t.Entries = append(s.t.Entries, &c)
	}
	rest := s.t.Pending[:0]
	for i, e := range s.t.Pending {
		if !taken[i] {
			rest = append(rest, e)
		}
	}
	clear(s.t.Pending[len(rest):])
	s.t.Pending = rest
	for _, n := range b.Nodes {
		s.t.Nodes[compact.NewNodeID(n.Level, n.Index)] = slices.Clone(n.Hash)
	}
	s.t.State = translog.TreeState{Size: b.State.Size, Hashes: slices.Clone(b.State.Hashes)}
	cp := b.Checkpoint
	cp.ID = s.t.NextCheckpointID
	s.t.NextCheckpointID++
	b.Checkpoint.ID = cp.ID
	s.t.Checkpoints = append(s.t.Checkpoints, cp)
	return nil
}

func sameState(a, b translog.TreeState) bool {
	return a.Size == b.Size && slices.EqualFunc(a.Hashes, b.Hashes, func(x, y []byte) bool { return string(x) == string(y) })
}

// ensureSorted puts the entries in Seq order after a Tamper.
func (s *Store) ensureSorted() {
	if !s.sorted {
		sort.SliceStable(s.t.Entries, func(i, j int) bool { return s.t.Entries[i].Seq < s.t.Entries[j].Seq })
		s.sorted = true
	}
}

// Entries implements translog.Store.
func (s *Store) Entries(_ context.Context, afterSeq int64, limit int) ([]*admit.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureSorted()
	i := sort.Search(len(s.t.Entries), func(i int) bool { return s.t.Entries[i].Seq > afterSeq })
	j := min(len(s.t.Entries), i+limit)
	out := make([]*admit.Event, 0, j-i)
	for _, e := range s.t.Entries[i:j] {
		c := *e
		out = append(out, &c)
	}
	return out, nil
}

// Nodes implements translog.Store.
func (s *Store) Nodes(_ context.Context, ids []compact.NodeID) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, len(ids))
	for i, id := range ids {
		out[i] = slices.Clone(s.t.Nodes[id])
	}
	return out, nil
}

// Checkpoints implements translog.Store.
func (s *Store) Checkpoints(_ context.Context, afterSize uint64, afterID int64, limit int) ([]translog.Checkpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := slices.Clone(s.t.Checkpoints)
	slices.SortStableFunc(all, func(a, b translog.Checkpoint) int {
		if a.Size != b.Size {
			if a.Size < b.Size {
				return -1
			}
			return 1
		}
		return int(a.ID - b.ID)
	})
	var out []translog.Checkpoint
	for _, cp := range all {
		if cp.Size < afterSize || (cp.Size == afterSize && cp.ID <= afterID) {
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, cp)
	}
	return out, nil
}

// LatestCheckpoint implements translog.Store.
func (s *Store) LatestCheckpoint(context.Context) (translog.Checkpoint, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *translog.Checkpoint
	for i := range s.t.Checkpoints {
		if best == nil || s.t.Checkpoints[i].ID > best.ID {
			best = &s.t.Checkpoints[i]
		}
	}
	if best == nil {
		return translog.Checkpoint{}, false, nil
	}
	return *best, true, nil
}

// MarkWitnessed implements translog.Store.
func (s *Store) MarkWitnessed(_ context.Context, id int64, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.t.Checkpoints {
		if s.t.Checkpoints[i].ID == id && s.t.Checkpoints[i].WitnessedAt.IsZero() {
			s.t.Checkpoints[i].WitnessedAt = at
		}
	}
	return nil
}

var _ translog.Store = (*Store)(nil)

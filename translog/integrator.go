package translog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/transparency-dev/merkle/compact"
)

// DefaultInterval is how often the integrator runs while it leads.
const DefaultInterval = time.Second

// DefaultBatchLimit is the most entries one integration pass adds; a pass
// that reaches it is followed by another at once.
const DefaultBatchLimit = 10000

// Integrator adds the store's new entries to the tree and signs a
// checkpoint, once per Interval while entries arrive, and publishes each
// checkpoint to the witnesses. Only one integrator per store does so at a
// time (Store.TryLead); the others wait to take over.
//
// An entry waits to be covered by a signed checkpoint at most Interval plus
// the time of one pass (and of one more pass per DefaultBatchLimit entries
// ahead of it); a node that takes over after the leader died starts within
// Interval of the store releasing the role.
type Integrator struct {
	Store     Store
	Signer    *Signer
	Witnesses []Witness
	// Interval between passes; DefaultInterval when zero.
	Interval time.Duration
	// BatchLimit bounds a pass; DefaultBatchLimit when zero.
	BatchLimit int
	// Now gives the checkpoints' time; time.Now when nil.
	Now func() time.Time
	// Log receives what goes wrong; slog.Default() when nil.
	Log *slog.Logger
	// After is time.After when nil; tests pass their own ticks.
	After func(time.Duration) <-chan time.Time

	mu       sync.Mutex
	last     *Checkpoint       // the last checkpoint this integrator signed or checked
	witnessd map[string]uint64 // per witness, the size it last accepted from us
}

func (in *Integrator) interval() time.Duration {
	if in.Interval > 0 {
		return in.Interval
	}
	return DefaultInterval
}

func (in *Integrator) now() time.Time {
	if in.Now != nil {
		return in.Now()
	}
	return time.Now()
}

func (in *Integrator) log() *slog.Logger {
	if in.Log != nil {
		return in.Log
	}
	return slog.Default()
}

func (in *Integrator) after(d time.Duration) <-chan time.Time {
	if in.After != nil {
		return in.After(d)
	}
	return time.After(d)
}

// Run integrates until ctx ends: it tries to lead every Interval, and while
// it leads makes one pass per Interval (at once again after a full batch).
// An error of a pass is logged and gives up the lead, to be tried again.
func (in *Integrator) Run(ctx context.Context) error {
	for {
		release, ok, err := in.Store.TryLead(ctx)
		if err != nil && ctx.Err() == nil {
			in.log().Error("audit log: cannot try to lead the integration", "err", err)
		}
		if ok {
			in.lead(ctx)
			release()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-in.after(in.interval()):
		}
	}
}

// lead makes passes until one fails or ctx ends.
func (in *Integrator) lead(ctx context.Context) {
	for {
		n, err := in.Step(ctx)
		if err != nil {
			if ctx.Err() == nil {
				in.log().Error("audit log: integration", "err", err)
			}
			return
		}
		if n >= in.batchLimit() {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-in.after(in.interval()):
		}
	}
}

func (in *Integrator) batchLimit() int {
	if in.BatchLimit > 0 {
		return in.BatchLimit
	}
	return DefaultBatchLimit
}

// ErrStateMismatch is returned by Step when the saved tree is not the one
// the latest signed checkpoint (or this integrator's last) describes: the
// store was changed behind the log, and the integrator signs nothing more
// until an operator looks (admit audit verify).
var ErrStateMismatch = errors.New("translog: the saved tree does not match the latest signed checkpoint (the store was changed)")

// Step makes one pass: it adds up to BatchLimit new entries to the tree,
// signs a checkpoint and sends it to the witnesses. It returns how many
// entries it added. Only the leader may call it. A witness that fails or
// refuses is logged (a refusal at error level) and tried again next pass;
// it does not stop the integration.
func (in *Integrator) Step(ctx context.Context) (int, error) {
	prev, err := in.Store.TreeState(ctx)
	if err != nil {
		return 0, err
	}
	if err := in.checkState(ctx, prev); err != nil {
		return 0, err
	}
	pending, err := in.Store.Unsequenced(ctx, in.batchLimit())
	if err != nil {
		return 0, err
	}
	if len(pending) == 0 {
		in.witness(ctx)
		return 0, nil
	}
	r, err := rangeFactory.NewRange(0, prev.Size, slices.Clone(prev.Hashes))
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrStateMismatch, err)
	}
	b := &Batch{Entries: pending}
	visit := func(id compact.NodeID, hash []byte) {
		if id.Level >= StoredNodeLevel {
			b.Nodes = append(b.Nodes, Node{Level: id.Level, Index: id.Index, Hash: hash})
		}
	}
	var lh leafHasher
	var legacy, moved int
	for i, e := range pending {
		place := int64(prev.Size) + int64(i) + 1
		if e.Seq != 0 { // an entry of the old hash chain, which had its seq
			legacy++
			if e.Seq != place {
				moved++
			}
		}
		e.Seq = place
		e.Hash = lh.hash(e)
		if err := r.Append(e.Hash, visit); err != nil {
			return 0, err
		}
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		return 0, err
	}
	b.State = TreeState{Size: r.End(), Hashes: r.Hashes()}
	if b.Checkpoint, err = in.Signer.Sign(b.State.Size, root, in.now()); err != nil {
		return 0, err
	}
	if err := in.Store.Integrate(ctx, prev, b); err != nil {
		for _, e := range pending {
			e.Seq, e.Hash = 0, nil
		}
		return 0, err
	}
	in.mu.Lock()
	cp := b.Checkpoint
	in.last = &cp
	in.mu.Unlock()
	if legacy > 0 {
		in.log().Info("audit log: built the tree from the existing hash chain", "entries", legacy,
			"through_seq", prev.Size+uint64(legacy), "renumbered", moved)
	}
	in.witness(ctx)
	return len(pending), nil
}

// checkState refuses a saved tree that is not the one the latest stored
// checkpoint signed, nor one that does not extend what this integrator
// signed last.
func (in *Integrator) checkState(ctx context.Context, s TreeState) error {
	root, err := s.Root()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrStateMismatch, err)
	}
	cp, ok, err := in.Store.LatestCheckpoint(ctx)
	if err != nil {
		return err
	}
	if ok {
		parsed, err := ParseCheckpoint(cp.Note, in.Signer.Verifier())
		if err != nil {
			return fmt.Errorf("%w: the latest stored checkpoint: %v", ErrStateMismatch, err)
		}
		if parsed.Size != s.Size || !sameHash(parsed.Root, root) {
			return fmt.Errorf("%w: the tree has size %d, the checkpoint %d", ErrStateMismatch, s.Size, parsed.Size)
		}
	} else if s.Size != 0 {
		return fmt.Errorf("%w: a tree of size %d without a checkpoint", ErrStateMismatch, s.Size)
	}
	in.mu.Lock()
	last := in.last
	in.mu.Unlock()
	if last != nil {
		if s.Size < last.Size || (s.Size == last.Size && !sameHash(root, last.Root)) {
			return fmt.Errorf("%w: this integrator signed size %d, the store now holds size %d", ErrStateMismatch, last.Size, s.Size)
		}
	}
	return nil
}

// witness sends the latest stored checkpoint to every witness that has not
// accepted it from this integrator yet.
func (in *Integrator) witness(ctx context.Context) {
	if len(in.Witnesses) == 0 {
		return
	}
	cp, ok, err := in.Store.LatestCheckpoint(ctx)
	if err != nil || !ok {
		if err != nil {
			in.log().Error("audit log: latest checkpoint", "err", err)
		}
		return
	}
	stored := cp
	if cp, err = ParseCheckpoint(stored.Note, in.Signer.Verifier()); err != nil {
		in.log().Error("audit log: latest checkpoint", "err", err)
		return
	}
	cp.ID, cp.WitnessedAt = stored.ID, stored.WitnessedAt
	in.mu.Lock()
	if in.witnessd == nil {
		in.witnessd = make(map[string]uint64)
	}
	in.mu.Unlock()
	prove := ConsistencyProver(in.Store, cp.Size)
	var accepted bool
	for _, w := range in.Witnesses {
		in.mu.Lock()
		done, seen := in.witnessd[w.String()]
		in.mu.Unlock()
		if seen && done >= cp.Size {
			continue
		}
		err := w.Add(ctx, cp, prove)
		var refused *RefusedError
		switch {
		case errors.As(err, &refused):
			in.log().Error("audit log: a witness REFUSED the checkpoint: the log in the store does not extend what was published", "witness", w.String(), "size", cp.Size, "reason", refused.Reason)
			continue
		case err != nil:
			in.log().Warn("audit log: witness unreachable; will retry", "witness", w.String(), "err", err)
			continue
		}
		in.mu.Lock()
		in.witnessd[w.String()] = cp.Size
		in.mu.Unlock()
		accepted = true
	}
	if accepted && cp.WitnessedAt.IsZero() {
		if err := in.Store.MarkWitnessed(ctx, cp.ID, in.now()); err != nil {
			in.log().Error("audit log: mark witnessed", "err", err)
		}
	}
}

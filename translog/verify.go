package translog

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// VerifyOptions say what Verify checks the log against.
type VerifyOptions struct {
	// Verifier checks the checkpoints' signatures (the log's public key).
	Verifier note.Verifier
	// Trusted is the checkpoint the caller vouches for, parsed and checked
	// with ParseCheckpoint: one kept outside the store (a witness's latest,
	// or a file an auditor kept). Without it Verify uses the store's latest
	// signed checkpoint, which catches edits but neither truncation nor a
	// wipe-and-reset.
	Trusted *Checkpoint
	// PageSize is how many entries Verify reads at a time (10,000 when
	// zero); memory does not grow with the log.
	PageSize int
}

// Report is the outcome of Verify.
type Report struct {
	Entries     int64      // entries read and hashed
	Checkpoints int        // signed checkpoints compared with the tree
	Trusted     Checkpoint // the checkpoint the log was verified against
	// TrustedFromStore is true when no checkpoint was given and the store's
	// latest was used.
	TrustedFromStore bool
	// Uncovered is the number of entries after the largest checkpoint
	// (not yet signed; the integrator covers them within a second or two).
	Uncovered int64
	// Problem is the first thing wrong, nil when the log verifies.
	Problem *Problem
}

// Problem is the first thing wrong with a log.
type Problem struct {
	// Seq is the first bad entry, when it can be named; 0 when the
	// entries' recorded hashes were rewritten too and only a range can be.
	Seq int64 `json:"seq,omitempty"`
	// From and Through bound the first bad entry when Seq is 0.
	From    int64 `json:"from,omitempty"`
	Through int64 `json:"through,omitempty"`
	// Checkpoint is the size of the signed checkpoint the log fails (0 when
	// an entry is named), CheckpointTime when it was signed.
	Checkpoint     uint64    `json:"checkpoint,omitempty"`
	CheckpointTime time.Time `json:"checkpoint_time,omitzero"`
	Reason         string    `json:"reason"`
}

// String says what is wrong, naming the entry or the checkpoint.
func (p *Problem) String() string {
	if p.Seq > 0 {
		return fmt.Sprintf("entry %d: %s", p.Seq, p.Reason)
	}
	return fmt.Sprintf("checkpoint of size %d (signed %s): %s", p.Checkpoint, p.CheckpointTime.Format(time.RFC3339), p.Reason)
}

// Verify reads every entry of the log in order, recomputes its leaf hash
// from its contents, rebuilds the tree and compares it with the trusted
// checkpoint and with every checkpoint the store holds that the trusted one
// does not rule out (those of a smaller size signed no later than it, and
// all of a larger size): it returns the first problem in the log's order.
// An entry is named when it is missing, or when its contents do not match
// the hash recorded when it entered the log; when the recorded hashes were
// rewritten to match, the first checkpoint the tree fails is named with
// the range of entries since the last one it matched. Memory is bounded by
// one page of entries and of checkpoints.
func Verify(ctx context.Context, s Store, o VerifyOptions) (*Report, error) {
	if o.Verifier == nil {
		return nil, fmt.Errorf("translog: verify needs the log's public key")
	}
	page := o.PageSize
	if page <= 0 {
		page = 10000
	}
	rep := &Report{}
	if o.Trusted != nil {
		rep.Trusted = *o.Trusted
	} else {
		latest, ok, err := s.LatestCheckpoint(ctx)
		if err != nil {
			return nil, err
		}
		if ok {
			cp, err := ParseCheckpoint(latest.Note, o.Verifier)
			if err != nil {
				rep.Problem = &Problem{Checkpoint: latest.Size, Reason: "the latest checkpoint in the store is not signed by the log's key (forged): " + err.Error()}
				return rep, nil
			}
			cp.ID, cp.WitnessedAt = latest.ID, latest.WitnessedAt
			rep.Trusted, rep.TrustedFromStore = cp, true
		}
	}
	var trusted *Checkpoint
	if o.Trusted != nil || rep.TrustedFromStore {
		trusted = &rep.Trusted
	}
	it := &checkpointIter{s: s, v: o.Verifier, trusted: trusted}

	var n uint64
	var lastGood uint64
	var lastGoodSet bool
	var maxCompared uint64
	r := rangeFactory.NewEmptyRange(0)
	// compare checks the tree of size n against the checkpoints of size n.
	compare := func() (*Problem, error) {
		for {
			cp, bad, err := it.peek(ctx)
			if err != nil || bad != nil {
				return bad, err
			}
			if cp == nil || cp.Size != n {
				return nil, nil
			}
			it.pop()
			root := hasher.EmptyRoot()
			if n > 0 {
				if root, err = r.GetRootHash(nil); err != nil {
					return nil, err
				}
			}
			rep.Checkpoints++
			maxCompared = n
			if !sameHash(root, cp.Root) {
				from := int64(1)
				if lastGoodSet {
					from = int64(lastGood) + 1
				}
				return &Problem{From: from, Through: int64(n), Checkpoint: n, CheckpointTime: cp.Time,
					Reason: fmt.Sprintf("%sthe log's entries do not hash to its root: an entry from %d to %d was changed, deleted, moved or inserted, and the hashes recorded with the entries were rewritten to match", label(cp, trusted), from, n)}, nil
			}
			lastGood, lastGoodSet = n, true
		}
	}
	if p, err := compare(); err != nil || p != nil {
		rep.Problem = p
		return rep, err
	}
	var lh leafHasher
	for {
		es, err := s.Entries(ctx, int64(n), page)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if e.Seq != int64(n)+1 {
				rep.Problem = &Problem{Seq: int64(n) + 1, Reason: fmt.Sprintf("it is missing (deleted); the log goes on with entry %d", e.Seq)}
				return rep, nil
			}
			h := lh.hash(e)
			rep.Entries++
			if !sameHash(h, e.Hash) {
				rep.Problem = &Problem{Seq: e.Seq, Reason: "its contents do not match the hash recorded when it entered the log (it was edited, moved or inserted)"}
				return rep, nil
			}
			if err := r.Append(h, nil); err != nil {
				return nil, err
			}
			n++
			if p, err := compare(); err != nil || p != nil {
				rep.Problem = p
				return rep, err
			}
		}
		if len(es) < page {
			break
		}
	}
	cp, bad, err := it.peek(ctx)
	if err != nil || bad != nil {
		rep.Problem = bad
		return rep, err
	}
	if cp != nil {
		from := int64(1)
		if lastGoodSet {
			from = int64(lastGood) + 1
		}
		rep.Problem = &Problem{From: from, Through: int64(cp.Size), Checkpoint: cp.Size, CheckpointTime: cp.Time,
			Reason: fmt.Sprintf("%sthe log ends at entry %d but the checkpoint covers %d entries: entries were deleted after entry %d, the last the log's checkpoints vouch for (the log was truncated or wiped)", label(cp, trusted), n, cp.Size, from-1)}
		return rep, nil
	}
	// Only the integrator gives entries their place, in the transaction
	// that saves the tree: an entry placed past the saved tree was not.
	state, err := s.TreeState(ctx)
	if err != nil {
		return nil, err
	}
	if n > state.Size {
		rep.Problem = &Problem{Seq: int64(state.Size) + 1, Reason: fmt.Sprintf("it has a place in the log, but the tree the integrator saved ends at entry %d (it was inserted)", state.Size)}
		return rep, nil
	}
	rep.Uncovered = int64(n - maxCompared)
	return rep, nil
}

// label names the trusted checkpoint in a reason.
func label(cp, trusted *Checkpoint) string {
	if trusted != nil && cp == trusted {
		return "the trusted checkpoint: "
	}
	return ""
}

// checkpointIter yields, in size order, the trusted checkpoint and the
// store's checkpoints that it does not rule out, one page at a time.
type checkpointIter struct {
	s         Store
	v         note.Verifier
	trusted   *Checkpoint
	sentTrust bool

	buf       []Checkpoint
	afterSize uint64
	afterID   int64
	done      bool
}

// peek returns the next checkpoint without taking it; nil at the end. A
// stored checkpoint without a valid signature is returned as a Problem.
func (it *checkpointIter) peek(ctx context.Context) (*Checkpoint, *Problem, error) {
	for {
		if len(it.buf) == 0 && !it.done {
			page, err := it.s.Checkpoints(ctx, it.afterSize, it.afterID, 1000)
			if err != nil {
				return nil, nil, err
			}
			if len(page) < 1000 {
				it.done = true
			}
			if len(page) > 0 {
				it.afterSize, it.afterID = page[len(page)-1].Size, page[len(page)-1].ID
			}
			for _, stored := range page {
				cp, err := ParseCheckpoint(stored.Note, it.v)
				if err != nil {
					return nil, &Problem{Checkpoint: stored.Size, Reason: fmt.Sprintf("the checkpoint stored as number %d is not signed by the log's key (forged): %v", stored.ID, err)}, nil
				}
				cp.ID, cp.WitnessedAt = stored.ID, stored.WitnessedAt
				if t := it.trusted; t != nil && cp.Size <= t.Size && cp.Time.After(t.Time) {
					continue // signed after the trusted one for a tree no larger: not evidence
				}
				it.buf = append(it.buf, cp)
			}
			continue
		}
		var next *Checkpoint
		if len(it.buf) > 0 {
			next = &it.buf[0]
		}
		if t := it.trusted; t != nil && !it.sentTrust && (next == nil || t.Size <= next.Size) {
			return t, nil, nil
		}
		return next, nil, nil
	}
}

// pop takes the checkpoint peek returned.
func (it *checkpointIter) pop() {
	if t := it.trusted; t != nil && !it.sentTrust && (len(it.buf) == 0 || t.Size <= it.buf[0].Size) {
		it.sentTrust = true
		return
	}
	it.buf = it.buf[1:]
}

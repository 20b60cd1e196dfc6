package memstore

import (
	"context"
	"slices"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog"
)

// Attacker changes the store as someone with write access to its database
// could (the methods of logtest.Attacker).
type Attacker struct{ s *Store }

// Attacker returns the store's attacker.
func (s *Store) Attacker() *Attacker { return &Attacker{s: s} }

func (a *Attacker) each(fn func(e *admit.Event)) {
	a.s.Tamper(func(t *Tables) {
		for _, e := range t.Entries {
			fn(e)
		}
	})
}

// SetDetail changes the Detail of entry seq.
func (a *Attacker) SetDetail(_ context.Context, seq int64, detail string) error {
	a.each(func(e *admit.Event) {
		if e.Seq == seq {
			e.Detail = detail
		}
	})
	return nil
}

// SetHash changes the recorded hash of entry seq.
func (a *Attacker) SetHash(_ context.Context, seq int64, hash []byte) error {
	a.each(func(e *admit.Event) {
		if e.Seq == seq {
			e.Hash = slices.Clone(hash)
		}
	})
	return nil
}

// Delete deletes the entries from through through.
func (a *Attacker) Delete(_ context.Context, from, through int64) error {
	a.s.Tamper(func(t *Tables) {
		t.Entries = slices.DeleteFunc(t.Entries, func(e *admit.Event) bool { return e.Seq >= from && e.Seq <= through })
	})
	return nil
}

// Renumber adds delta to the Seq of every entry from seq on.
func (a *Attacker) Renumber(_ context.Context, from, delta int64) error {
	a.each(func(e *admit.Event) {
		if e.Seq >= from {
			e.Seq += delta
		}
	})
	return nil
}

// Swap exchanges the places of entries x and y.
func (a *Attacker) Swap(_ context.Context, x, y int64) error {
	a.each(func(e *admit.Event) {
		switch e.Seq {
		case x:
			e.Seq = y
		case y:
			e.Seq = x
		}
	})
	return nil
}

// Insert inserts e with its Seq and Hash.
func (a *Attacker) Insert(_ context.Context, e *admit.Event) error {
	c := *e
	a.s.Tamper(func(t *Tables) {
		a.s.nextID++
		c.ID = a.s.nextID
		t.Entries = append(t.Entries, &c)
	})
	return nil
}

// RollBack saves state as the tree and drops the larger checkpoints.
func (a *Attacker) RollBack(_ context.Context, state translog.TreeState) error {
	a.s.Tamper(func(t *Tables) {
		t.State = state
		t.Checkpoints = slices.DeleteFunc(t.Checkpoints, func(c translog.Checkpoint) bool { return c.Size > state.Size })
	})
	return nil
}

// Wipe empties the log.
func (a *Attacker) Wipe(context.Context) error {
	a.s.Tamper(func(t *Tables) {
		*t = Tables{Nodes: t.Nodes, NextCheckpointID: 1}
		clear(t.Nodes)
	})
	return nil
}

// AddCheckpoint stores cp.
func (a *Attacker) AddCheckpoint(_ context.Context, cp translog.Checkpoint) error {
	a.s.Tamper(func(t *Tables) {
		cp.ID = t.NextCheckpointID
		t.NextCheckpointID++
		t.Checkpoints = append(t.Checkpoints, cp)
	})
	return nil
}

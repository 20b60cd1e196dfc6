package admit

import "time"

// WriteObserver is told of each group commit a store makes, for metrics:
// how many writes the group held, how long its oldest write waited in the
// queue before the group began, how long the group took to commit, and
// the commit's error (nil when committed).
type WriteObserver interface {
	ObserveWriteGroup(size int, wait, commit time.Duration, err error)
}

// JoinObserver is told of the join path's events worth counting beyond
// the answers themselves.
type JoinObserver interface {
	// GuessBudgetSpent is called once per meeting whose guess budget a
	// failed guess has just spent.
	GuessBudgetSpent()
}

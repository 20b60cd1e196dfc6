package sqlstore

import (
	"context"
	"time"
)

// Shared is what both stores implement the same way, as methods a store
// gains by embedding it: a store's DB embeds a Shared set up with its own
// reads, writes and clock, and defines itself only what differs. A method
// the DB defines itself wins over the Shared one of the same name.
type Shared struct {
	// Read runs lookups outside any transaction.
	Read Querier
	// Write runs fn in a transaction and commits it (on SQLite: in a
	// savepoint of the writer's next group commit). fn may be run again
	// after a deadlock or a serialization failure, so it sets its results
	// afresh on each run.
	Write func(ctx context.Context, w Write, fn func(ctx context.Context, q Querier) error) error
	// Now stamps what the store records without a time of its own.
	Now func() time.Time
	// SkipLocked ends a SELECT of rows to claim ("FOR UPDATE SKIP LOCKED"),
	// so that claims made at once on several nodes take different rows; ""
	// where one writer makes claims one after the other.
	SkipLocked string
	// Meetings is what saving and reading meetings runs differently.
	Meetings MeetingSQL
}

// Write says of a write what lets a store run it best.
type Write struct {
	// Changes: the write changes what the join path caches, so that the
	// store looks at its change log again at once.
	Changes bool
	// One: the write runs exactly one statement (SQLite undoes a failed
	// statement by itself and needs no savepoint for it).
	One bool
}

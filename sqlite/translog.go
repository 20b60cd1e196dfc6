package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"

	"github.com/transparency-dev/merkle/compact"

	"github.com/admit-project/admit/sqlstore"
	"github.com/admit-project/admit/translog"
)

// AuditLog is the audit log's Merkle tree in the database
// (translog.Store): sqlstore.AuditLog, led by one process, whose
// integrator writes through the store's one writer, so that its pass is
// one savepoint of a group commit.
type AuditLog struct {
	db     *DB
	leader atomic.Bool
	sqlstore.AuditLog
}

// AuditLog returns the store's audit log.
func (db *DB) AuditLog() *AuditLog {
	return &AuditLog{AuditLog: sqlstore.AuditLog{Shared: &db.Shared, Store: "sqlite"}, db: db}
}

var _ translog.Store = (*AuditLog)(nil)

// TryLead implements translog.Store. An embedded store is served by one
// process, so leading is decided in the process: one integrator at a time
// per AuditLog. (Integrate's check of the saved tree keeps a second
// process from adding to it twice.)
func (l *AuditLog) TryLead(context.Context) (func(), bool, error) {
	if !l.leader.CompareAndSwap(false, true) {
		return nil, false, nil
	}
	var done atomic.Bool
	return func() {
		if done.CompareAndSwap(false, true) {
			l.leader.Store(false)
		}
	}, true, nil
}

// Integrate implements translog.Store, in one savepoint of the writer.
func (l *AuditLog) Integrate(ctx context.Context, prev translog.TreeState, b *translog.Batch) error {
	return l.db.write(ctx, func(ctx context.Context, tx *wtx) error {
		return l.IntegrateIn(ctx, sq(tx), prev, b, placeEntries)
	})
}

// placeEntries gives b's entries their places, in chunks of 256, 16 and
// 1 entries (three statements, which the writer prepares once), and saves
// its nodes.
func placeEntries(ctx context.Context, q sqlstore.Querier, b *translog.Batch) error {
	for rest := b.Entries; len(rest) > 0; {
		n := 1
		for _, size := range []int{256, 16} {
			if len(rest) >= size {
				n = size
				break
			}
		}
		args := make([]any, 0, 3*n)
		for _, e := range rest[:n] {
			args = append(args, e.ID, e.Seq, e.Hash)
		}
		k, err := q.Exec(ctx, placeEvents(n), args...)
		if err := sqlstore.Placed(q, k, int64(n), err); err != nil {
			return err
		}
		rest = rest[n:]
	}
	for _, n := range b.Nodes {
		if _, err := q.Exec(ctx, `INSERT OR REPLACE INTO audit_nodes (level, idx, hash) VALUES (?, ?, ?)`, n.Level, int64(n.Index), n.Hash); err != nil {
			return err
		}
	}
	return nil
}

// Nodes implements translog.Store.
func (l *AuditLog) Nodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		err := l.db.rdb.db.QueryRowContext(ctx, `SELECT hash FROM audit_nodes WHERE level = ? AND idx = ?`, id.Level, int64(id.Index)).Scan(&out[i])
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	return out, nil
}

// placeEvents returns the UPDATE that places n entries: (id, seq, leaf_hash)
// each.
func placeEvents(n int) string {
	q := `UPDATE events SET seq = v.column2, leaf_hash = v.column3 FROM (VALUES `
	for i := range n {
		if i > 0 {
			q += `, `
		}
		q += `(?, ?, ?)`
	}
	return q + `) AS v WHERE events.id = v.column1 AND events.leaf_hash IS NULL`
}

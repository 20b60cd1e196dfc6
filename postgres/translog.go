package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/transparency-dev/merkle/compact"

	"github.com/admit-project/admit/sqlstore"
	"github.com/admit-project/admit/translog"
)

// AuditLog is the store's side of the audit log's Merkle tree
// (translog.Store); what both stores run alike is sqlstore.AuditLog's.
// The integrator is elected among the nodes by a session advisory lock,
// which PostgreSQL releases when the leader's connection ends (its node
// died), so another node takes over at its next try.
type AuditLog struct {
	sqlstore.AuditLog
	db *DB
}

// AuditLog returns the store's audit log.
func (db *DB) AuditLog() *AuditLog {
	return &AuditLog{AuditLog: sqlstore.AuditLog{Shared: &db.Shared, Store: "postgres", LockTree: " FOR UPDATE"}, db: db}
}

var _ translog.Store = (*AuditLog)(nil)

// integratorLock is the advisory lock's key: one per schema, so that the
// stores of several schemas in one database each have their integrator.
const integratorLock = `hashtextextended('admit audit integrator ' || current_schema(), 0)`

// TryLead implements translog.Store with pg_try_advisory_lock on a
// connection held until release.
func (l *AuditLog) TryLead(ctx context.Context) (func(), bool, error) {
	conn, err := l.db.pool.Acquire(ctx)
	if err != nil {
		return nil, false, err
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+integratorLock+`)`).Scan(&ok); err != nil {
		conn.Release()
		return nil, false, err
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	var once sync.Once
	return func() {
		once.Do(func() { unlockAndRelease(conn) })
	}, true, nil
}

// unlockAndRelease gives up the lead; a connection whose unlock fails is
// closed, which releases the lock as well.
func unlockAndRelease(conn *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(`+integratorLock+`)`); err != nil {
		conn.Conn().Close(ctx)
	}
	conn.Release()
}

// Integrate implements translog.Store in one transaction, not run again
// when it fails (the integrator tries again later). The tree's row is
// locked (FOR UPDATE, LockTree) only against another integrator; writers
// never touch it.
func (l *AuditLog) Integrate(ctx context.Context, prev translog.TreeState, b *translog.Batch) error {
	return pgx.BeginFunc(ctx, l.db.pool, func(tx pgx.Tx) error {
		return l.IntegrateIn(ctx, sq(tx), prev, b, placeEntries)
	})
}

// placeEntries gives b's entries their places and saves its nodes, in one
// statement each: arrays, whatever the batch's size.
func placeEntries(ctx context.Context, q sqlstore.Querier, b *translog.Batch) error {
	n := len(b.Entries)
	ids, seqs, leaves := make([]int64, n), make([]int64, n), make([][]byte, n)
	for i, e := range b.Entries {
		ids[i], seqs[i], leaves[i] = e.ID, e.Seq, e.Hash
	}
	k, err := q.Exec(ctx, `UPDATE events e SET seq = u.seq, leaf_hash = u.leaf
		FROM unnest(?::bigint[], ?::bigint[], ?::bytea[]) AS u(id, seq, leaf)
		WHERE e.id = u.id AND e.leaf_hash IS NULL`, ids, seqs, leaves)
	if err := sqlstore.Placed(q, k, int64(n), err); err != nil {
		return err
	}
	if len(b.Nodes) == 0 {
		return nil
	}
	levels, idxs, hs := make([]int32, len(b.Nodes)), make([]int64, len(b.Nodes)), make([][]byte, len(b.Nodes))
	for i, nd := range b.Nodes {
		levels[i], idxs[i], hs[i] = int32(nd.Level), int64(nd.Index), nd.Hash
	}
	_, err = q.Exec(ctx, `INSERT INTO audit_nodes (level, idx, hash)
		SELECT * FROM unnest(?::int[], ?::bigint[], ?::bytea[])
		ON CONFLICT (level, idx) DO UPDATE SET hash = EXCLUDED.hash`, levels, idxs, hs)
	return err
}

// Nodes implements translog.Store, in one query.
func (l *AuditLog) Nodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error) {
	levels, idxs := make([]int32, len(ids)), make([]int64, len(ids))
	for i, id := range ids {
		levels[i], idxs[i] = int32(id.Level), int64(id.Index)
	}
	rows, err := l.db.pool.Query(ctx, `SELECT u.n, a.hash FROM unnest($1::int[], $2::bigint[]) WITH ORDINALITY AS u(level, idx, n)
		JOIN audit_nodes a ON a.level = u.level AND a.idx = u.idx`, levels, idxs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([][]byte, len(ids))
	for rows.Next() {
		var n int64
		var h []byte
		if err := rows.Scan(&n, &h); err != nil {
			return nil, err
		}
		out[n-1] = h
	}
	return out, rows.Err()
}

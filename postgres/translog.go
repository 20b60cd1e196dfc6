package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/transparency-dev/merkle/compact"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog"
)

// AuditLog is the store's side of the audit log's Merkle tree
// (translog.Store): the entries are the events table; the tree's state,
// nodes and checkpoints are audit_tree, audit_nodes and audit_checkpoints.
// The integrator is elected among the nodes by a session advisory lock,
// which PostgreSQL releases when the leader's connection ends (its node
// died), so another node takes over at its next try.
type AuditLog struct {
	db *DB
}

// AuditLog returns the store's audit log.
func (db *DB) AuditLog() *AuditLog { return &AuditLog{db: db} }

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

// logColumns are the events' columns the log reads; the leaf hash is read
// into Event.Hash.
const logColumns = `id, coalesce(seq, 0), at, account_id, actor, action, target, source, outcome, detail, leaf_hash`

func (l *AuditLog) queryEvents(ctx context.Context, query string, args ...any) ([]*admit.Event, error) {
	rows, err := l.db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*admit.Event
	for rows.Next() {
		var e admit.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.Seq, &at, &e.AccountID, &e.Actor, &e.Action, &e.Target, &e.Source,
			&e.Outcome, &e.Detail, &e.Hash); err != nil {
			return nil, err
		}
		e.At = fromNanos(at)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// Unsequenced implements translog.Store: entries of the old chain first,
// in their chain order, then the others in id order. An entry whose
// transaction commits after later ids were placed is placed in a later
// pass: its place is the order in which the log saw it.
func (l *AuditLog) Unsequenced(ctx context.Context, limit int) ([]*admit.Event, error) {
	return l.queryEvents(ctx, `SELECT `+logColumns+` FROM events WHERE leaf_hash IS NULL
		ORDER BY seq NULLS LAST, id LIMIT $1`, limit)
}

// Entries implements translog.Store.
func (l *AuditLog) Entries(ctx context.Context, afterSeq int64, limit int) ([]*admit.Event, error) {
	return l.queryEvents(ctx, `SELECT `+logColumns+` FROM events WHERE seq > $1 AND leaf_hash IS NOT NULL
		ORDER BY seq LIMIT $2`, afterSeq, limit)
}

// TreeState implements translog.Store.
func (l *AuditLog) TreeState(ctx context.Context) (translog.TreeState, error) {
	var size int64
	var hashes []byte
	err := l.db.pool.QueryRow(ctx, `SELECT size, hashes FROM audit_tree WHERE id = 1`).Scan(&size, &hashes)
	if errors.Is(err, pgx.ErrNoRows) {
		return translog.TreeState{}, nil
	} else if err != nil {
		return translog.TreeState{}, err
	}
	return translog.TreeState{Size: uint64(size), Hashes: splitHashes(hashes)}, nil
}

func splitHashes(b []byte) [][]byte {
	var out [][]byte
	for len(b) >= 32 {
		out = append(out, b[:32:32])
		b = b[32:]
	}
	return out
}

func joinHashes(hs [][]byte) []byte {
	out := make([]byte, 0, 32*len(hs))
	for _, h := range hs {
		out = append(out, h...)
	}
	return out
}

// Integrate implements translog.Store in one transaction. The tree's row
// is locked (FOR UPDATE) only against another integrator; writers never
// touch it.
func (l *AuditLog) Integrate(ctx context.Context, prev translog.TreeState, b *translog.Batch) error {
	return pgx.BeginFunc(ctx, l.db.pool, func(tx pgx.Tx) error {
		var size int64
		var hashes []byte
		err := tx.QueryRow(ctx, `SELECT size, hashes FROM audit_tree WHERE id = 1 FOR UPDATE`).Scan(&size, &hashes)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: audit tree: %w", err)
		}
		if uint64(size) != prev.Size || string(hashes) != string(joinHashes(prev.Hashes)) {
			return translog.ErrTreeMoved
		}
		n := len(b.Entries)
		ids, seqs, leaves := make([]int64, n), make([]int64, n), make([][]byte, n)
		for i, e := range b.Entries {
			ids[i], seqs[i], leaves[i] = e.ID, e.Seq, e.Hash
		}
		var tag pgconn.CommandTag
		tag, err = tx.Exec(ctx, `UPDATE events e SET seq = u.seq, leaf_hash = u.leaf
			FROM unnest($1::bigint[], $2::bigint[], $3::bytea[]) AS u(id, seq, leaf)
			WHERE e.id = u.id AND e.leaf_hash IS NULL`, ids, seqs, leaves)
		if err != nil {
			if isUnique(err) {
				return translog.ErrTreeMoved
			}
			return err
		}
		if tag.RowsAffected() != int64(n) {
			return translog.ErrTreeMoved
		}
		if len(b.Nodes) > 0 {
			levels, idxs, hs := make([]int32, len(b.Nodes)), make([]int64, len(b.Nodes)), make([][]byte, len(b.Nodes))
			for i, nd := range b.Nodes {
				levels[i], idxs[i], hs[i] = int32(nd.Level), int64(nd.Index), nd.Hash
			}
			if _, err := tx.Exec(ctx, `INSERT INTO audit_nodes (level, idx, hash)
				SELECT * FROM unnest($1::int[], $2::bigint[], $3::bytea[])
				ON CONFLICT (level, idx) DO UPDATE SET hash = EXCLUDED.hash`, levels, idxs, hs); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_tree (id, size, hashes) VALUES (1, $1, $2)
			ON CONFLICT (id) DO UPDATE SET size = EXCLUDED.size, hashes = EXCLUDED.hashes`, int64(b.State.Size), joinHashes(b.State.Hashes)); err != nil {
			return err
		}
		cp := b.Checkpoint
		return tx.QueryRow(ctx, `INSERT INTO audit_checkpoints (size, signed_at, note) VALUES ($1, $2, $3) RETURNING id`,
			int64(cp.Size), nanos(cp.Time), string(cp.Note)).Scan(&b.Checkpoint.ID)
	})
}

// Nodes implements translog.Store.
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

const checkpointColumns = `id, size, signed_at, note, witnessed_at`

func scanCheckpoint(row pgx.Row) (translog.Checkpoint, error) {
	var cp translog.Checkpoint
	var size, signed int64
	var note string
	var witnessed *int64
	if err := row.Scan(&cp.ID, &size, &signed, &note, &witnessed); err != nil {
		return cp, err
	}
	cp.Size, cp.Time, cp.Note = uint64(size), fromNanos(signed), []byte(note)
	if witnessed != nil {
		cp.WitnessedAt = fromNanos(*witnessed)
	}
	return cp, nil
}

// Checkpoints implements translog.Store.
func (l *AuditLog) Checkpoints(ctx context.Context, afterSize uint64, afterID int64, limit int) ([]translog.Checkpoint, error) {
	rows, err := l.db.pool.Query(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints
		WHERE (size, id) > ($1, $2) ORDER BY size, id LIMIT $3`, int64(afterSize), afterID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []translog.Checkpoint
	for rows.Next() {
		cp, err := scanCheckpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, cp)
	}
	return out, rows.Err()
}

// LatestCheckpoint implements translog.Store.
func (l *AuditLog) LatestCheckpoint(ctx context.Context) (translog.Checkpoint, bool, error) {
	cp, err := scanCheckpoint(l.db.pool.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY id DESC LIMIT 1`))
	if errors.Is(err, pgx.ErrNoRows) {
		return cp, false, nil
	}
	return cp, err == nil, err
}

// MarkWitnessed implements translog.Store.
func (l *AuditLog) MarkWitnessed(ctx context.Context, id int64, at time.Time) error {
	_, err := l.db.pool.Exec(ctx, `UPDATE audit_checkpoints SET witnessed_at = $1 WHERE id = $2 AND witnessed_at IS NULL`, nanos(at), id)
	return err
}

// Pending returns how many entries are not in the tree yet.
func (l *AuditLog) Pending(ctx context.Context) (int64, error) {
	var n int64
	err := l.db.pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE leaf_hash IS NULL`).Scan(&n)
	return n, err
}

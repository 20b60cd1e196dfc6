package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/transparency-dev/merkle/compact"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog"
)

// AuditLog is the store's side of the audit log's Merkle tree
// (translog.Store): the entries are the events table; the tree's state,
// nodes and checkpoints are audit_tree, audit_nodes and audit_checkpoints.
// The integrator writes through the store's one writer, so its pass is
// one savepoint of a group commit.
type AuditLog struct {
	db     *DB
	leader atomic.Bool
}

// AuditLog returns the store's audit log.
func (db *DB) AuditLog() *AuditLog { return &AuditLog{db: db} }

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

// logColumns are the events' columns the log reads; the leaf hash is read
// into Event.Hash.
const logColumns = `id, ifnull(seq, 0), at, account_id, actor, action, target, source, outcome, detail, leaf_hash`

func scanLogEvent(row interface{ Scan(...any) error }) (*admit.Event, error) {
	var e admit.Event
	var at int64
	if err := row.Scan(&e.ID, &e.Seq, &at, &e.AccountID, &e.Actor, &e.Action, &e.Target, &e.Source,
		&e.Outcome, &e.Detail, &e.Hash); err != nil {
		return nil, err
	}
	e.At = fromNanos(at)
	return &e, nil
}

func (l *AuditLog) queryEvents(ctx context.Context, query string, args ...any) ([]*admit.Event, error) {
	rows, err := l.db.rdb.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*admit.Event
	for rows.Next() {
		e, err := scanLogEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Unsequenced implements translog.Store: entries of the old chain first,
// in their chain order, then the others in id order.
func (l *AuditLog) Unsequenced(ctx context.Context, limit int) ([]*admit.Event, error) {
	return l.queryEvents(ctx, `SELECT `+logColumns+` FROM events WHERE leaf_hash IS NULL
		ORDER BY seq IS NULL, seq, id LIMIT ?`, limit)
}

// Entries implements translog.Store.
func (l *AuditLog) Entries(ctx context.Context, afterSeq int64, limit int) ([]*admit.Event, error) {
	return l.queryEvents(ctx, `SELECT `+logColumns+` FROM events WHERE seq > ? AND leaf_hash IS NOT NULL
		ORDER BY seq LIMIT ?`, afterSeq, limit)
}

// TreeState implements translog.Store.
func (l *AuditLog) TreeState(ctx context.Context) (translog.TreeState, error) {
	return readTree(ctx, l.db.rdb.db)
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readTree(ctx context.Context, q rowQuerier) (translog.TreeState, error) {
	var size int64
	var hashes []byte
	err := q.QueryRowContext(ctx, `SELECT size, hashes FROM audit_tree WHERE id = 1`).Scan(&size, &hashes)
	if errors.Is(err, sql.ErrNoRows) {
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

// Integrate implements translog.Store, in one savepoint of the writer.
func (l *AuditLog) Integrate(ctx context.Context, prev translog.TreeState, b *translog.Batch) error {
	return l.db.write(ctx, func(ctx context.Context, tx *wtx) error {
		var size int64
		var hashes []byte
		err := tx.QueryRowContext(ctx, `SELECT size, hashes FROM audit_tree WHERE id = 1`).Scan(&size, &hashes)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: audit tree: %w", err)
		}
		if uint64(size) != prev.Size || string(hashes) != string(joinHashes(prev.Hashes)) {
			return translog.ErrTreeMoved
		}
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
			res, err := tx.ExecContext(ctx, placeEvents(n), args...)
			if err != nil {
				if isConstraint(err) {
					return translog.ErrTreeMoved
				}
				return err
			}
			if k, err := res.RowsAffected(); err != nil {
				return err
			} else if k != int64(n) {
				return translog.ErrTreeMoved
			}
			rest = rest[n:]
		}
		for _, n := range b.Nodes {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO audit_nodes (level, idx, hash) VALUES (?, ?, ?)`, n.Level, int64(n.Index), n.Hash); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_tree (id, size, hashes) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET size = excluded.size, hashes = excluded.hashes`, int64(b.State.Size), joinHashes(b.State.Hashes)); err != nil {
			return err
		}
		cp := b.Checkpoint
		return tx.QueryRowContext(ctx, `INSERT INTO audit_checkpoints (size, signed_at, note) VALUES (?, ?, ?) RETURNING id`,
			int64(cp.Size), nanos(cp.Time), string(cp.Note)).Scan(&b.Checkpoint.ID)
	})
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

const checkpointColumns = `id, size, signed_at, note, witnessed_at`

func scanCheckpoint(row interface{ Scan(...any) error }) (translog.Checkpoint, error) {
	var cp translog.Checkpoint
	var size, signed int64
	var note string
	var witnessed sql.NullInt64
	if err := row.Scan(&cp.ID, &size, &signed, &note, &witnessed); err != nil {
		return cp, err
	}
	cp.Size, cp.Time, cp.Note = uint64(size), fromNanos(signed), []byte(note)
	if witnessed.Valid {
		cp.WitnessedAt = fromNanos(witnessed.Int64)
	}
	return cp, nil
}

// Checkpoints implements translog.Store.
func (l *AuditLog) Checkpoints(ctx context.Context, afterSize uint64, afterID int64, limit int) ([]translog.Checkpoint, error) {
	rows, err := l.db.rdb.db.QueryContext(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints
		WHERE size > ? OR (size = ? AND id > ?) ORDER BY size, id LIMIT ?`, int64(afterSize), int64(afterSize), afterID, limit)
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
	cp, err := scanCheckpoint(l.db.rdb.db.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY id DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return cp, false, nil
	}
	return cp, err == nil, err
}

// MarkWitnessed implements translog.Store.
func (l *AuditLog) MarkWitnessed(ctx context.Context, id int64, at time.Time) error {
	return l.db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `UPDATE audit_checkpoints SET witnessed_at = ? WHERE id = ? AND witnessed_at IS NULL`, nanos(at), id)
		return err
	})
}

// Pending returns how many entries are not in the tree yet.
func (l *AuditLog) Pending(ctx context.Context) (int64, error) {
	var n int64
	err := l.db.rdb.db.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE leaf_hash IS NULL`).Scan(&n)
	return n, err
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

package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
	"github.com/admit-project/admit/translog"
)

// AuditLog is what the stores' sides of the audit log's Merkle tree
// (translog.Store) run alike: the entries are the events table; the tree's
// state, nodes and checkpoints are audit_tree, audit_nodes and
// audit_checkpoints. A store's AuditLog embeds it and adds what differs:
// TryLead (who integrates: one process, or a PostgreSQL advisory lock),
// Integrate's transaction and its writes of the entries' places and the
// nodes, and Nodes (PostgreSQL writes and reads them as arrays, in one
// statement each; SQLite one chunk or node at a time).
type AuditLog struct {
	// Shared runs the log's reads and MarkWitnessed.
	Shared *Shared
	// Store names the store in errors ("sqlite", "postgres").
	Store string
	// LockTree ends Integrate's read of the saved tree: PostgreSQL's
	// " FOR UPDATE" holds another integrator's transaction until this one
	// ends; "" where one writer integrates.
	LockTree string
}

// logColumns are the events' columns the log reads; the leaf hash is read
// into Event.Hash.
const logColumns = `id, coalesce(seq, 0), at, account_id, actor, action, target, source, outcome, detail, leaf_hash`

func scanLogEvent(row rowscan.Scanner) (*admit.Event, error) {
	var e admit.Event
	var at int64
	if err := row.Scan(&e.ID, &e.Seq, &at, &e.AccountID, &e.Actor, &e.Action, &e.Target, &e.Source,
		&e.Outcome, &e.Detail, &e.Hash); err != nil {
		return nil, err
	}
	e.At = FromNanos(at)
	return &e, nil
}

// Unsequenced implements translog.Store: entries of the old chain first,
// in their chain order, then the others in id order. On PostgreSQL, an
// entry whose transaction commits after later ids were placed is placed
// in a later pass: its place is the order in which the log saw it.
func (l AuditLog) Unsequenced(ctx context.Context, limit int) ([]*admit.Event, error) {
	return QueryAll(ctx, l.Shared.Read, scanLogEvent, `SELECT `+logColumns+` FROM events WHERE leaf_hash IS NULL
		ORDER BY seq NULLS LAST, id LIMIT ?`, limit)
}

// Entries implements translog.Store.
func (l AuditLog) Entries(ctx context.Context, afterSeq int64, limit int) ([]*admit.Event, error) {
	return QueryAll(ctx, l.Shared.Read, scanLogEvent, `SELECT `+logColumns+` FROM events WHERE seq > ? AND leaf_hash IS NOT NULL
		ORDER BY seq LIMIT ?`, afterSeq, limit)
}

// savedTree reads the tree as saved in q: zero size and no hashes for a new
// log.
func savedTree(ctx context.Context, q Querier, lock string) (size int64, hashes []byte, err error) {
	err = q.QueryRow(ctx, `SELECT size, hashes FROM audit_tree WHERE id = 1`+lock).Scan(&size, &hashes)
	if err != nil && q.NoRows(err) {
		err = nil
	}
	return size, hashes, err
}

// TreeState implements translog.Store.
func (l AuditLog) TreeState(ctx context.Context) (translog.TreeState, error) {
	size, hashes, err := savedTree(ctx, l.Shared.Read, "")
	if err != nil {
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

// IntegrateIn does translog.Store's Integrate in q, a transaction of the
// store's own: it returns translog.ErrTreeMoved unless the saved tree is
// prev, has place write the entries' places and the nodes (the store's own
// way, see Placed), and saves the tree and the checkpoint, setting
// b.Checkpoint.ID.
func (l AuditLog) IntegrateIn(ctx context.Context, q Querier, prev translog.TreeState, b *translog.Batch,
	place func(ctx context.Context, q Querier, b *translog.Batch) error) error {
	size, hashes, err := savedTree(ctx, q, l.LockTree)
	if err != nil {
		return fmt.Errorf("%s: audit tree: %w", l.Store, err)
	}
	if uint64(size) != prev.Size || string(hashes) != string(joinHashes(prev.Hashes)) {
		return translog.ErrTreeMoved
	}
	if err := place(ctx, q, b); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `INSERT INTO audit_tree (id, size, hashes) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET size = excluded.size, hashes = excluded.hashes`, int64(b.State.Size), joinHashes(b.State.Hashes)); err != nil {
		return err
	}
	cp := b.Checkpoint
	return q.QueryRow(ctx, `INSERT INTO audit_checkpoints (size, signed_at, note) VALUES (?, ?, ?) RETURNING id`,
		int64(cp.Size), Nanos(cp.Time), string(cp.Note)).Scan(&b.Checkpoint.ID)
}

// Placed says what a statement of IntegrateIn's place that gave want
// entries their place did: placed rows, or err. A key conflict (a place
// taken) or fewer rows (an entry placed already) is translog.ErrTreeMoved.
func Placed(q Querier, placed, want int64, err error) error {
	if err != nil {
		if q.Conflict(err) {
			return translog.ErrTreeMoved
		}
		return err
	}
	if placed != want {
		return translog.ErrTreeMoved
	}
	return nil
}

const checkpointColumns = `id, size, signed_at, note, witnessed_at`

func scanCheckpoint(row rowscan.Scanner) (translog.Checkpoint, error) {
	var cp translog.Checkpoint
	var size, signed int64
	var note string
	var witnessed *int64
	if err := row.Scan(&cp.ID, &size, &signed, &note, &witnessed); err != nil {
		return cp, err
	}
	cp.Size, cp.Time, cp.Note, cp.WitnessedAt = uint64(size), FromNanos(signed), []byte(note), FromNullNanos(witnessed)
	return cp, nil
}

// Checkpoints implements translog.Store.
func (l AuditLog) Checkpoints(ctx context.Context, afterSize uint64, afterID int64, limit int) ([]translog.Checkpoint, error) {
	return QueryAll(ctx, l.Shared.Read, scanCheckpoint, `SELECT `+checkpointColumns+` FROM audit_checkpoints
		WHERE (size, id) > (?, ?) ORDER BY size, id LIMIT ?`, int64(afterSize), afterID, limit)
}

// LatestCheckpoint implements translog.Store.
func (l AuditLog) LatestCheckpoint(ctx context.Context) (translog.Checkpoint, bool, error) {
	q := l.Shared.Read
	cp, err := scanCheckpoint(q.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY id DESC LIMIT 1`))
	if err != nil && q.NoRows(err) {
		return cp, false, nil
	}
	return cp, err == nil, err
}

// MarkWitnessed implements translog.Store.
func (l AuditLog) MarkWitnessed(ctx context.Context, id int64, at time.Time) error {
	return l.Shared.Write(ctx, Write{One: true}, func(ctx context.Context, q Querier) error {
		_, err := q.Exec(ctx, `UPDATE audit_checkpoints SET witnessed_at = ? WHERE id = ? AND witnessed_at IS NULL`, Nanos(at), id)
		return err
	})
}

// Pending returns how many entries are not in the tree yet.
func (l AuditLog) Pending(ctx context.Context) (int64, error) {
	var n int64
	err := l.Shared.Read.QueryRow(ctx, `SELECT count(*) FROM events WHERE leaf_hash IS NULL`).Scan(&n)
	return n, err
}

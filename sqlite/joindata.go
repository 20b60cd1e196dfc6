package sqlite

import (
	"context"
	"database/sql"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
	"github.com/admit-project/admit/sqlstore"
)

// FindJoinDataByPK returns what the join path needs of the live meeting with
// the primary key, read in one snapshot. ENOTFOUND.
func (db *DB) FindJoinDataByPK(ctx context.Context, pk int64) (*admit.JoinData, error) {
	return db.findJoinData(ctx, `m.pk = ?`, pk)
}

func (db *DB) findJoinData(ctx context.Context, where string, arg any) (*admit.JoinData, error) {
	// Prepare (or find prepared) before the snapshot takes a connection:
	// preparing on the pool needs one of its connections free.
	queries := []string{
		`SELECT ` + sqlstore.MeetingColumns + ` FROM meetings m WHERE m.deleted_at IS NULL AND ` + where,
		`SELECT c.idx, c.kind, c.invitee_pk, i.id, i.name FROM credentials c
		LEFT JOIN invitees i ON i.pk = c.invitee_pk WHERE c.meeting_pk = ?`,
		`SELECT ` + sqlstore.OccurrenceColumns + ` FROM occurrences o
		LEFT JOIN access_codes c ON c.occurrence_pk = o.pk AND c.revoked_at IS NULL
		WHERE o.removed_at IS NULL AND o.meeting_pk = ? ORDER BY o.idx`,
	}
	var ps [3]*sql.Stmt
	for i, q := range queries {
		var err error
		if ps[i], err = db.rdb.stmt(ctx, q); err != nil {
			return nil, err
		}
	}
	tx, err := db.rdb.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	m, err := scanMeeting(tx.StmtContext(ctx, ps[0]).QueryRowContext(ctx, arg))
	if err != nil {
		return nil, err
	}
	d := &admit.JoinData{Meeting: m, Credentials: map[string]*admit.Credential{}}
	rows, err := tx.StmtContext(ctx, ps[1]).QueryContext(ctx, m.PK)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var idx []byte
		var c admit.Credential
		var invPK sql.NullInt64
		var invID, invName sql.NullString
		if err := rows.Scan(&idx, &c.Kind, &invPK, &invID, &invName); err != nil {
			return nil, err
		}
		c.InviteePK, c.InviteeID, c.InviteeName = invPK.Int64, invID.String, invName.String
		rowscan.PasscodeIndex(m, c.Kind, idx)
		d.Credentials[string(idx)] = &c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	orows, err := tx.StmtContext(ctx, ps[2]).QueryContext(ctx, m.PK)
	if err != nil {
		return nil, err
	}
	defer orows.Close()
	for orows.Next() {
		o, err := rowscan.Occurrence(orows)
		if err != nil {
			return nil, err
		}
		d.Occurrences = append(d.Occurrences, o)
	}
	return d, orows.Err()
}

// MeetingChanges returns the meetings changed after seq, by any process, and
// the latest seq. all is set when the log no longer reaches back to seq,
// never reached it, or holds too many changes after it to list: the caller
// must then forget everything.
func (db *DB) MeetingChanges(ctx context.Context, afterSeq int64) (latest int64, meetingPKs []int64, all bool, err error) {
	const max = 10000
	var oldest sql.NullInt64
	var last sql.NullInt64
	if err := db.rdb.QueryRowContext(ctx, `SELECT MIN(seq), MAX(seq) FROM meeting_changes`).Scan(&oldest, &last); err != nil {
		return 0, nil, false, err
	}
	latest = last.Int64
	switch {
	case latest == afterSeq:
		return latest, nil, false, nil
	case latest < afterSeq:
		// The log never reached seq: the caller read another file, or
		// this one before it was restored from a backup.
		return latest, nil, true, nil
	}
	if afterSeq < oldest.Int64-1 || latest-afterSeq > max {
		return latest, nil, true, nil
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT DISTINCT meeting_pk FROM meeting_changes WHERE seq > ? AND seq <= ?`, afterSeq, latest)
	if err != nil {
		return 0, nil, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var pk int64
		if err := rows.Scan(&pk); err != nil {
			return 0, nil, false, err
		}
		meetingPKs = append(meetingPKs, pk)
	}
	return latest, meetingPKs, false, rows.Err()
}

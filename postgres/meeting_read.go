package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
	"github.com/admit-project/admit/sqlstore"
)

// Lookups of whole meetings are sqlstore.Shared's, in one snapshot (see
// meetingSQL); FindMeetings, which reads its meetings with arrays, is here.

// scanMeeting reads a row of sqlstore.MeetingColumns, followed by extra. ENOTFOUND.
func scanMeeting(row pgx.Row, extra ...any) (*admit.Meeting, error) {
	m, err := sqlstore.ScanMeeting(row, extra...)
	return orNotFound(m, err, "meeting")
}

// FindMeetings lists meetings, whole, that match f, ordered by their first
// matching occurrence's start (personal rooms, which match any range, first).
func (db *DB) FindMeetings(ctx context.Context, f admit.MeetingFilter) ([]*admit.Meeting, error) {
	var limit *int64
	if f.Limit > 0 {
		l := int64(f.Limit)
		limit = &l
	}
	var meetings []*admit.Meeting
	err := db.read(ctx, func(tx pgx.Tx) error {
		meetings = nil
		rows, err := tx.Query(ctx, `SELECT pk FROM (
			SELECT m.pk, m.kind, (SELECT MIN(o.starts_at) FROM occurrences o
				WHERE o.meeting_pk = m.pk AND o.removed_at IS NULL
				  AND ($1::bigint IS NULL OR o.ends_at > $1) AND ($2::bigint IS NULL OR o.starts_at < $2)) AS first
			FROM meetings m
			WHERE m.account_id = $3 AND m.deleted_at IS NULL AND ($4::bigint = 0 OR m.host_id = $4)) s
		WHERE s.kind = 'personal' OR s.first IS NOT NULL OR ($1::bigint IS NULL AND $2::bigint IS NULL)
		ORDER BY COALESCE(s.first, 0), s.pk LIMIT $5`, sqlstore.NullNanos(f.From), sqlstore.NullNanos(f.To), f.AccountID, f.HostID, limit)
		if err != nil {
			return err
		}
		pks, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		meetings, err = loadWholeMeetings(ctx, tx, pks)
		return err
	})
	return meetings, err
}

// loadWholeMeetings returns the live meetings with the pks, in their order,
// whole, in four queries whatever their number.
func loadWholeMeetings(ctx context.Context, q querier, pks []int64) ([]*admit.Meeting, error) {
	if len(pks) == 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, `SELECT `+sqlstore.MeetingColumns+` FROM meetings m WHERE m.deleted_at IS NULL AND m.pk = ANY($1)`, pks)
	if err != nil {
		return nil, err
	}
	byPK := make(map[int64]*admit.Meeting, len(pks))
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		m.Occurrences, m.Invitees = nil, nil
		byPK[m.PK] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	occs, err := sqlstore.FindOccurrences(ctx, sq(q), `o.meeting_pk = ANY(?) ORDER BY o.meeting_pk, o.idx`, pks)
	if err != nil {
		return nil, err
	}
	for _, o := range occs {
		if m := byPK[o.MeetingPK]; m != nil {
			m.Occurrences = append(m.Occurrences, o)
		}
	}

	rows, err = q.Query(ctx, `SELECT pk, id, meeting_pk, contact_id, name, email, phone, token_index, token_sealed, token_generation
		FROM invitees WHERE meeting_pk = ANY($1) ORDER BY meeting_pk, pk`, pks)
	if err != nil {
		return nil, err
	}
	invitees := make(map[int64]*admit.Invitee)
	for rows.Next() {
		var inv admit.Invitee
		var tokIdx, tokSealed []byte
		if err := rows.Scan(&inv.PK, &inv.ID, &inv.MeetingPK, &inv.ContactID, &inv.Name, &inv.Email, &inv.Phone, &tokIdx, &tokSealed, &inv.TokenGeneration); err != nil {
			rows.Close()
			return nil, err
		}
		if tokIdx != nil {
			inv.Token = &admit.Secret{Index: tokIdx, Sealed: tokSealed}
		}
		if m := byPK[inv.MeetingPK]; m != nil {
			m.Invitees = append(m.Invitees, &inv)
			invitees[inv.PK] = &inv
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = q.Query(ctx, `SELECT meeting_pk, kind, invitee_pk, idx, sealed FROM credentials WHERE meeting_pk = ANY($1)`, pks)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var meetingPK int64
		var kind string
		var invPK *int64
		sec := new(admit.Secret)
		if err := rows.Scan(&meetingPK, &kind, &invPK, &sec.Index, &sec.Sealed); err != nil {
			return nil, err
		}
		m := byPK[meetingPK]
		if m == nil {
			continue
		}
		var inv *admit.Invitee
		if invPK != nil {
			inv = invitees[*invPK]
		}
		if slot := rowscan.CredentialSlot(m, inv, kind); slot != nil {
			*slot = sec
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	out := make([]*admit.Meeting, 0, len(pks))
	for _, pk := range pks {
		if m := byPK[pk]; m != nil {
			out = append(out, m)
		}
	}
	return out, nil
}

package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// FindSealed pages through every sealed secret: credentials, then access
// codes, then invitee link tokens, then media server secrets, then phone
// callers' numbers.
func (db *DB) FindSealed(ctx context.Context, cur admit.SealedCursor, limit int) ([]*admit.SealedValue, admit.SealedCursor, error) {
	var out []*admit.SealedValue
	for !cur.Done && len(out) < limit {
		if cur.Index == nil {
			cur.Index = []byte{} // sorts before every index
		}
		var rows pgx.Rows
		var err error
		switch cur.Stage {
		case 0:
			rows, err = db.pool.Query(ctx, `SELECT c.meeting_pk, c.idx, c.kind, c.sealed, m.id, COALESCE(i.id, '')
				FROM credentials c JOIN meetings m ON m.pk = c.meeting_pk LEFT JOIN invitees i ON i.pk = c.invitee_pk
				WHERE (c.meeting_pk, c.idx) > ($1, $2) ORDER BY c.meeting_pk, c.idx LIMIT $3`, cur.PK, cur.Index, limit-len(out))
		case 1:
			rows, err = db.pool.Query(ctx, `SELECT a.pk, a.meeting_pk, a.occurrence_idx, a.sealed, m.id
				FROM access_codes a JOIN meetings m ON m.pk = a.meeting_pk
				WHERE a.pk > $1 ORDER BY a.pk LIMIT $2`, cur.PK, limit-len(out))
		case 2:
			rows, err = db.pool.Query(ctx, `SELECT i.pk, i.meeting_pk, i.id, i.token_sealed, m.id
				FROM invitees i JOIN meetings m ON m.pk = i.meeting_pk
				WHERE i.pk > $1 AND i.token_sealed IS NOT NULL ORDER BY i.pk LIMIT $2`, cur.PK, limit-len(out))
		case 3:
			rows, err = db.pool.Query(ctx, `SELECT account_id, secret_sealed FROM media_backends
				WHERE account_id > $1 ORDER BY account_id LIMIT $2`, cur.PK, limit-len(out))
		case 4:
			rows, err = db.pool.Query(ctx, `SELECT account_id, smtp_password_sealed FROM account_mail
				WHERE account_id > $1 AND smtp_password_sealed IS NOT NULL ORDER BY account_id LIMIT $2`, cur.PK, limit-len(out))
		case 5:
			rows, err = db.pool.Query(ctx, `SELECT pk, id, caller_sealed FROM participants
				WHERE pk > $1 AND caller_sealed IS NOT NULL ORDER BY pk LIMIT $2`, cur.PK, limit-len(out))
		}
		if err != nil {
			return nil, cur, err
		}
		vs, err := rowscan.Sealed(rows, &cur)
		rows.Close()
		if err != nil {
			return nil, cur, err
		}
		out = append(out, vs...)
		cur = rowscan.NextSealedStage(cur, len(vs), len(out) >= limit)
	}
	return out, cur, nil
}

// ReplaceSealed swaps v's sealed copy if the row still holds v.Sealed.
func (db *DB) ReplaceSealed(ctx context.Context, v *admit.SealedValue, sealed []byte) (bool, error) {
	var tag pgconn.CommandTag
	err := db.write(ctx, true, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		switch v.Kind {
		case "access_code":
			tag, err = tx.Exec(ctx, `UPDATE access_codes SET sealed = $1 WHERE pk = $2 AND sealed = $3`, sealed, v.RowPK, v.Sealed)
		case "invitee_token":
			tag, err = tx.Exec(ctx, `UPDATE invitees SET token_sealed = $1 WHERE pk = $2 AND token_sealed = $3`, sealed, v.RowPK, v.Sealed)
		case admit.SealedMediaSecret:
			tag, err = tx.Exec(ctx, `UPDATE media_backends SET secret_sealed = $1 WHERE account_id = $2 AND secret_sealed = $3`, sealed, v.RowPK, v.Sealed)
		case admit.SealedSMTPPassword:
			tag, err = tx.Exec(ctx, `UPDATE account_mail SET smtp_password_sealed = $1 WHERE account_id = $2 AND smtp_password_sealed = $3`, sealed, v.RowPK, v.Sealed)
		case admit.SealedCallerNumber:
			tag, err = tx.Exec(ctx, `UPDATE participants SET caller_sealed = $1 WHERE pk = $2 AND caller_sealed = $3`, sealed, v.RowPK, v.Sealed)
		default:
			tag, err = tx.Exec(ctx, `UPDATE credentials SET sealed = $1 WHERE meeting_pk = $2 AND idx = $3 AND sealed = $4`, sealed, v.MeetingPK, v.Index, v.Sealed)
		}
		return err
	})
	return err == nil && tag.RowsAffected() == 1, err
}

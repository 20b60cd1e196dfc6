package sqlite

import (
	"context"
	"database/sql"

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
		var rows *sql.Rows
		var err error
		switch cur.Stage {
		case 0:
			rows, err = db.rdb.db.QueryContext(ctx, `SELECT c.meeting_pk, c.idx, c.kind, c.sealed, m.id, COALESCE(i.id, '')
				FROM credentials c JOIN meetings m ON m.pk = c.meeting_pk LEFT JOIN invitees i ON i.pk = c.invitee_pk
				WHERE (c.meeting_pk, c.idx) > (?, ?) ORDER BY c.meeting_pk, c.idx LIMIT ?`, cur.PK, cur.Index, limit-len(out))
		case 1:
			rows, err = db.rdb.db.QueryContext(ctx, `SELECT a.pk, a.meeting_pk, a.occurrence_idx, a.sealed, m.id
				FROM access_codes a JOIN meetings m ON m.pk = a.meeting_pk
				WHERE a.pk > ? ORDER BY a.pk LIMIT ?`, cur.PK, limit-len(out))
		case 2:
			rows, err = db.rdb.db.QueryContext(ctx, `SELECT i.pk, i.meeting_pk, i.id, i.token_sealed, m.id
				FROM invitees i JOIN meetings m ON m.pk = i.meeting_pk
				WHERE i.pk > ? AND i.token_sealed IS NOT NULL ORDER BY i.pk LIMIT ?`, cur.PK, limit-len(out))
		case 3:
			rows, err = db.rdb.db.QueryContext(ctx, `SELECT account_id, secret_sealed FROM media_backends
				WHERE account_id > ? ORDER BY account_id LIMIT ?`, cur.PK, limit-len(out))
		case 4:
			rows, err = db.rdb.db.QueryContext(ctx, `SELECT account_id, smtp_password_sealed FROM account_mail
				WHERE account_id > ? AND smtp_password_sealed IS NOT NULL ORDER BY account_id LIMIT ?`, cur.PK, limit-len(out))
		case 5:
			rows, err = db.rdb.db.QueryContext(ctx, `SELECT pk, id, caller_sealed FROM participants
				WHERE pk > ? AND caller_sealed IS NOT NULL ORDER BY pk LIMIT ?`, cur.PK, limit-len(out))
		}
		if err != nil {
			return nil, cur, err
		}
		vs, err := rowscan.Sealed(rows, &cur)
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
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
	var n int64
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		var res sql.Result
		var err error
		switch v.Kind {
		case "access_code":
			res, err = tx.ExecContext(ctx, `UPDATE access_codes SET sealed = ? WHERE pk = ? AND sealed = ?`, sealed, v.RowPK, v.Sealed)
		case "invitee_token":
			res, err = tx.ExecContext(ctx, `UPDATE invitees SET token_sealed = ? WHERE pk = ? AND token_sealed = ?`, sealed, v.RowPK, v.Sealed)
		case admit.SealedMediaSecret:
			res, err = tx.ExecContext(ctx, `UPDATE media_backends SET secret_sealed = ? WHERE account_id = ? AND secret_sealed = ?`, sealed, v.RowPK, v.Sealed)
		case admit.SealedSMTPPassword:
			res, err = tx.ExecContext(ctx, `UPDATE account_mail SET smtp_password_sealed = ? WHERE account_id = ? AND smtp_password_sealed = ?`, sealed, v.RowPK, v.Sealed)
		case admit.SealedCallerNumber:
			res, err = tx.ExecContext(ctx, `UPDATE participants SET caller_sealed = ? WHERE pk = ? AND caller_sealed = ?`, sealed, v.RowPK, v.Sealed)
		default:
			res, err = tx.ExecContext(ctx, `UPDATE credentials SET sealed = ? WHERE meeting_pk = ? AND idx = ? AND sealed = ?`, sealed, v.MeetingPK, v.Index, v.Sealed)
		}
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, err
}

package sqlstore

import (
	"context"
	"fmt"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// sealedStages are FindSealed's queries, one a stage (admit.SealedCursor's
// Stage): after the cursor's PK (and Index), at most a number of rows.
var sealedStages = [...]string{
	`SELECT c.meeting_pk, c.idx, c.kind, c.sealed, m.id, COALESCE(i.id, '')
		FROM credentials c JOIN meetings m ON m.pk = c.meeting_pk LEFT JOIN invitees i ON i.pk = c.invitee_pk
		WHERE (c.meeting_pk, c.idx) > (?, ?) ORDER BY c.meeting_pk, c.idx LIMIT ?`,
	`SELECT a.pk, a.meeting_pk, a.occurrence_idx, a.sealed, m.id
		FROM access_codes a JOIN meetings m ON m.pk = a.meeting_pk
		WHERE a.pk > ? ORDER BY a.pk LIMIT ?`,
	`SELECT i.pk, i.meeting_pk, i.id, i.token_sealed, m.id
		FROM invitees i JOIN meetings m ON m.pk = i.meeting_pk
		WHERE i.pk > ? AND i.token_sealed IS NOT NULL ORDER BY i.pk LIMIT ?`,
	`SELECT account_id, secret_sealed FROM media_backends
		WHERE account_id > ? ORDER BY account_id LIMIT ?`,
	`SELECT account_id, smtp_password_sealed FROM account_mail
		WHERE account_id > ? AND smtp_password_sealed IS NOT NULL ORDER BY account_id LIMIT ?`,
	`SELECT pk, id, caller_sealed FROM participants
		WHERE pk > ? AND caller_sealed IS NOT NULL ORDER BY pk LIMIT ?`,
}

// FindSealed pages through every sealed secret: credentials, then access
// codes, then invitee link tokens, then media server secrets, then SMTP
// passwords, then phone callers' numbers.
func (s *Shared) FindSealed(ctx context.Context, cur admit.SealedCursor, limit int) ([]*admit.SealedValue, admit.SealedCursor, error) {
	var out []*admit.SealedValue
	for !cur.Done && len(out) < limit {
		if cur.Index == nil {
			cur.Index = []byte{} // sorts before every index
		}
		if cur.Stage < 0 || cur.Stage >= len(sealedStages) {
			return nil, cur, fmt.Errorf("sealed values: no stage %d", cur.Stage)
		}
		args := []any{cur.PK, limit - len(out)}
		if cur.Stage == 0 {
			args = []any{cur.PK, cur.Index, limit - len(out)}
		}
		var vs []*admit.SealedValue
		rows, err := s.Read.Query(ctx, sealedStages[cur.Stage], args...)
		if err == nil {
			vs, err = rowscan.Sealed(rows, &cur)
			rows.Close()
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
func (s *Shared) ReplaceSealed(ctx context.Context, v *admit.SealedValue, sealed []byte) (bool, error) {
	var query string
	args := []any{sealed, v.RowPK, v.Sealed}
	switch v.Kind {
	case "access_code":
		query = `UPDATE access_codes SET sealed = ? WHERE pk = ? AND sealed = ?`
	case "invitee_token":
		query = `UPDATE invitees SET token_sealed = ? WHERE pk = ? AND token_sealed = ?`
	case admit.SealedMediaSecret:
		query = `UPDATE media_backends SET secret_sealed = ? WHERE account_id = ? AND secret_sealed = ?`
	case admit.SealedSMTPPassword:
		query = `UPDATE account_mail SET smtp_password_sealed = ? WHERE account_id = ? AND smtp_password_sealed = ?`
	case admit.SealedCallerNumber:
		query = `UPDATE participants SET caller_sealed = ? WHERE pk = ? AND caller_sealed = ?`
	default:
		query = `UPDATE credentials SET sealed = ? WHERE meeting_pk = ? AND idx = ? AND sealed = ?`
		args = []any{sealed, v.MeetingPK, v.Index, v.Sealed}
	}
	var n int64
	err := s.Write(ctx, Write{Changes: true}, func(ctx context.Context, q Querier) (err error) {
		n, err = q.Exec(ctx, query, args...)
		return err
	})
	return err == nil && n == 1, err
}

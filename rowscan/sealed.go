package rowscan

import "github.com/admit-project/admit"

// Sealed reads a page of sealed secrets of cur's stage and moves cur past
// each value read. The stages and their columns:
//
//   - 0, credentials: meeting_pk, idx, kind, sealed, the meeting's id, the
//     invitee's id ("" for a meeting's own); the cursor is (meeting_pk, idx).
//   - 1, access codes: pk, meeting_pk, occurrence_idx, sealed, the meeting's
//     id; the cursor is pk.
//   - 2, invitee link tokens: pk, meeting_pk, the invitee's id, token_sealed,
//     the meeting's id; the cursor is pk.
//   - 3, media server secrets: account_id, secret_sealed; the cursor is the
//     account's id (RowPK).
//   - 4, accounts' SMTP passwords: account_id, smtp_password_sealed; the
//     cursor is the account's id (RowPK).
//   - 5, phone callers' numbers: participants' pk, id, caller_sealed; the
//     cursor is pk.
//
// The caller closes rows.
func Sealed(rows Rows, cur *admit.SealedCursor) ([]*admit.SealedValue, error) {
	var out []*admit.SealedValue
	for rows.Next() {
		v := &admit.SealedValue{}
		var err error
		switch cur.Stage {
		case 0:
			err = rows.Scan(&v.MeetingPK, &v.Index, &v.Kind, &v.Sealed, &v.MeetingID, &v.InviteeID)
			cur.PK, cur.Index = v.MeetingPK, v.Index
		case 1:
			v.Kind = "access_code"
			err = rows.Scan(&v.RowPK, &v.MeetingPK, &v.Occurrence, &v.Sealed, &v.MeetingID)
			cur.PK = v.RowPK
		case 2:
			v.Kind = "invitee_token"
			err = rows.Scan(&v.RowPK, &v.MeetingPK, &v.InviteeID, &v.Sealed, &v.MeetingID)
			cur.PK = v.RowPK
		case 3:
			v.Kind = admit.SealedMediaSecret
			err = rows.Scan(&v.RowPK, &v.Sealed)
			cur.PK = v.RowPK
		case 4:
			v.Kind = admit.SealedSMTPPassword
			err = rows.Scan(&v.RowPK, &v.Sealed)
		case 5:
			v.Kind = admit.SealedCallerNumber
			err = rows.Scan(&v.RowPK, &v.ParticipantID, &v.Sealed)
			cur.PK = v.RowPK
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// NextSealedStage returns the cursor after a page of n values of cur's
// stage: cur itself while the page was full, else the start of the next
// stage (Done after the last, 5).
func NextSealedStage(cur admit.SealedCursor, n int, full bool) admit.SealedCursor {
	if n == 0 || !full {
		return admit.SealedCursor{Stage: cur.Stage + 1, Done: cur.Stage+1 > 5}
	}
	return cur
}

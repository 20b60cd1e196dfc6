package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"math"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlstore"
)

// Admit commits an accepted join in one savepoint of the writer's group:
// it consumes an access-code use when asked (ECONFLICT, field "max_uses",
// when none is left), names the participant, inserts it (setting PK), the
// attempt (setting ID and ParticipantPK) and the join's audit entry. It
// returns once the group is durably committed; nothing is written on error.
func (db *DB) Admit(ctx context.Context, a *admit.Admission) error {
	p := a.Participant
	if p == nil {
		return errors.New("sqlite: Admit without a participant")
	}
	var res admit.Admitted
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		var err error
		res, err = admitTx(ctx, tx, a)
		return err
	})
	if err != nil {
		return err
	}
	a.Apply(res)
	return nil
}

func admitTx(ctx context.Context, tx *wtx, a *admit.Admission) (admit.Admitted, error) {
	p := a.Participant
	r := admit.Admitted{Occurrence: p.Occurrence}
	if r.Occurrence == 0 {
		if err := tx.QueryRowContext(ctx, `SELECT idx FROM occurrences WHERE pk = ?`, p.OccurrencePK).Scan(&r.Occurrence); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return r, notFound("occurrence")
			}
			return r, err
		}
	}

	if err := holdIfSpent(ctx, tx, a); err != nil {
		return r, err
	}

	if a.ViaAccessCode {
		res, err := tx.ExecContext(ctx, `UPDATE access_codes SET uses = uses + 1
			WHERE occurrence_pk = ? AND revoked_at IS NULL AND (?2 <= 0 OR uses < ?2)`, p.OccurrencePK, a.MaxUses)
		if err != nil {
			return r, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return r, err
		} else if n == 0 && a.MaxUses > 0 {
			return r, &admit.Error{Code: admit.ECONFLICT, Field: "max_uses",
				Message: "The access code has been used the maximum number of times."}
		}
	}

	r.Seq, r.DisplayName, r.InviteeID = 1, p.BaseName, p.InviteeID
	if p.InviteePK != 0 {
		if r.InviteeID == "" {
			tx.QueryRowContext(ctx, `SELECT id FROM invitees WHERE pk = ?`, p.InviteePK).Scan(&r.InviteeID)
		}
		seq, err := nextSeq(ctx, tx, p.OccurrencePK, p.InviteePK)
		if err != nil {
			return r, err
		}
		r.Seq, r.DisplayName = seq, admit.SharedDisplayName(p.BaseName, seq)
	}
	hold := a.BudgetHold()
	if hold != admit.HoldNone && a.HeldName != "" {
		r.DisplayName = a.HeldName
	}
	if a.Unmatched && a.Attempt != nil {
		if _, _, err := countFailure(ctx, tx, a.Attempt.MeetingPK, a.Attempt.GuessBudget, a.Attempt.At); err != nil {
			return r, err
		}
	}

	admitted := sqlstore.PtrNanos(p.AdmittedTime())
	res, err := tx.ExecContext(ctx, `INSERT INTO participants (id, occurrence_pk, invitee_pk, invitee_id,
		display_name, base_name, seq, shared_credential, channel, source, state, joined_at, admitted_at, budget_hold, caller_sealed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.OccurrencePK, p.InviteePK, r.InviteeID, r.DisplayName, p.BaseName, r.Seq, r.Seq > 1,
		string(p.Channel), p.Source, p.State, sqlstore.Nanos(p.JoinedAt), admitted, int(hold), p.CallerSealed)
	if err != nil {
		return r, err
	}
	if r.ParticipantPK, err = res.LastInsertId(); err != nil {
		return r, err
	}
	at := a.JoinAttempt(r.Occurrence)
	if a.Attempt != nil {
		at.ParticipantPK = r.ParticipantPK
		if r.AttemptID, err = insertAttempt(ctx, tx, &at); err != nil {
			return r, err
		}
	}
	if err := tx.appendJoinEvent(ctx, &at, p.ID); err != nil {
		return r, err
	}
	return r, nil
}

// nextSeq returns the number for the next holder of the invitee's
// credential in the occurrence (see admit.NextSharedSeq).
func nextSeq(ctx context.Context, tx *wtx, occurrencePK, inviteePK int64) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq FROM participants
		WHERE occurrence_pk = ? AND invitee_pk = ? AND state IN ('waiting', 'admitted') ORDER BY seq`,
		occurrencePK, inviteePK)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var used []int
	for rows.Next() {
		var seq int
		if err := rows.Scan(&seq); err != nil {
			return 0, err
		}
		used = append(used, seq)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return admit.NextSharedSeq(used), nil
}

// dummyBudget is the meeting_budgets row that refusals which count against
// no meeting update, to do the same work as those that do.
const dummyBudget = 0

// RecordAttempt appends a refused attempt, setting its ID, and its audit
// entry; a failed guess (GuessBudget set) is counted toward the meeting's
// guess budget in the same write (setting BudgetFailures and BudgetSpent). It returns once both are durably committed.
func (db *DB) RecordAttempt(ctx context.Context, a *admit.Attempt) error {
	var id int64
	var failures int
	var spent bool
	// Every refusal does the same work, whether or not it counts against a
	// meeting's guess budget, so that time does not tell a wrong passcode
	// for a real meeting from an unknown meeting: one that does not count
	// updates a dummy budget (meeting 0) instead. The audit entry costs no
	// statement of its own (see chain.go); other attempts are one statement
	// and need no savepoint.
	refusal := a.Outcome == admit.OutcomeRefused
	counted := a.GuessBudget > 0 && a.MeetingPK != 0
	countPK, budget := a.MeetingPK, a.GuessBudget
	if !counted {
		countPK, budget = dummyBudget, math.MaxInt32
	}
	err := db.w.do(ctx, func(ctx context.Context, tx *wtx) error {
		// First, so that when it fails nothing is written: it only reads,
		// and its queued entry is dropped when a later statement fails.
		if err := tx.appendJoinEvent(ctx, a, ""); err != nil {
			return err
		}
		var err error
		if id, err = insertAttempt(ctx, tx, a); err != nil {
			return err
		}
		if refusal {
			if failures, spent, err = countFailure(ctx, tx, countPK, budget, a.At); err != nil {
				return err
			}
			if !counted {
				failures, spent = 0, false
			}
		}
		return nil
	}, !refusal)
	if err != nil {
		return err
	}
	a.BudgetFailures, a.BudgetSpent = failures, spent
	a.ID = id
	return nil
}

func insertAttempt(ctx context.Context, tx *wtx, a *admit.Attempt) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO attempts (at, meeting_pk, occurrence_pk, occurrence, channel,
		source, method, outcome, reason, participant_pk) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sqlstore.Nanos(a.At), a.MeetingPK, a.OccurrencePK, a.Occurrence, string(a.Channel), a.Source, a.Method,
		a.Outcome, a.Reason, a.ParticipantPK)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

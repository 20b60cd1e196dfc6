package postgres

import (
	"context"
	"errors"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlstore"
)

// Admit commits an accepted join in one savepoint of a group commit (see
// batch.go): it consumes an access-code use when asked (ECONFLICT, field
// "max_uses", when none is left), names the participant, inserts it
// (setting PK), the attempt (setting ID and ParticipantPK) and the join's
// audit entry. The use is
// consumed by a conditional UPDATE (uses < max_uses), which PostgreSQL
// evaluates again on the row's latest version after waiting for a
// concurrent one, so no number of nodes can exceed max_uses. It returns
// once the group is committed; nothing is written on error.
func (db *DB) Admit(ctx context.Context, a *admit.Admission) error {
	p := a.Participant
	if p == nil {
		return errors.New("postgres: Admit without a participant")
	}
	var res admit.Admitted
	err := db.batch.do(ctx, p.OccurrencePK, func(ctx context.Context, tx querier) ([]*admit.Event, error) {
		var err error
		var e *admit.Event
		res, e, err = db.admitTx(ctx, tx, a)
		if err != nil {
			return nil, err
		}
		return []*admit.Event{e}, nil
	})
	if err != nil {
		return err
	}
	a.Apply(res)
	return nil
}

// admitTx does Admit's writes in tx and returns the join's audit entry,
// for the group to append.
func (db *DB) admitTx(ctx context.Context, tx querier, a *admit.Admission) (admit.Admitted, *admit.Event, error) {
	p := a.Participant
	r := admit.Admitted{Occurrence: p.Occurrence}
	if r.Occurrence == 0 {
		if err := tx.QueryRow(ctx, `SELECT idx FROM occurrences WHERE pk = $1`, p.OccurrencePK).Scan(&r.Occurrence); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return r, nil, notFound("occurrence")
			}
			return r, nil, err
		}
	}

	if err := holdIfSpent(ctx, tx, a); err != nil {
		return r, nil, err
	}

	if a.ViaAccessCode {
		tag, err := tx.Exec(ctx, `UPDATE access_codes SET uses = uses + 1
			WHERE occurrence_pk = $1 AND revoked_at IS NULL AND ($2::bigint <= 0 OR uses < $2)`, p.OccurrencePK, a.MaxUses)
		if err != nil {
			return r, nil, err
		}
		if tag.RowsAffected() == 0 && a.MaxUses > 0 {
			return r, nil, &admit.Error{Code: admit.ECONFLICT, Field: "max_uses",
				Message: "The access code has been used the maximum number of times."}
		}
	}

	r.Seq, r.DisplayName, r.InviteeID = 1, p.BaseName, p.InviteeID
	if p.InviteePK != 0 {
		// The invitee's row lock orders concurrent holders of the same
		// credential, on any node, so that each gets its own number.
		var id string
		err := tx.QueryRow(ctx, `SELECT id FROM invitees WHERE pk = $1 FOR NO KEY UPDATE`, p.InviteePK).Scan(&id)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return r, nil, err
		}
		if r.InviteeID == "" {
			r.InviteeID = id
		}
		seq, err := nextSeq(ctx, tx, p.OccurrencePK, p.InviteePK)
		if err != nil {
			return r, nil, err
		}
		r.Seq, r.DisplayName = seq, admit.SharedDisplayName(p.BaseName, seq)
	}
	hold := a.BudgetHold()
	if hold != admit.HoldNone && a.HeldName != "" {
		r.DisplayName = a.HeldName
	}
	if a.Unmatched && a.Attempt != nil {
		if _, _, err := countFailure(ctx, tx, a.Attempt.MeetingPK, a.Attempt.GuessBudget, a.Attempt.At); err != nil {
			return r, nil, err
		}
	}

	admitted := sqlstore.PtrNanos(p.AdmittedTime())
	shared := 0
	if r.Seq > 1 {
		shared = 1
	}
	pargs := []any{p.ID, p.OccurrencePK, p.InviteePK, r.InviteeID, r.DisplayName, p.BaseName, r.Seq, shared,
		string(p.Channel), p.Source, p.State, sqlstore.Nanos(p.JoinedAt), admitted, int(hold), p.CallerSealed}
	const insertParticipant = `INSERT INTO participants (id, occurrence_pk, invitee_pk, invitee_id,
		display_name, base_name, seq, shared_credential, channel, source, state, joined_at, admitted_at, budget_hold, caller_sealed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING pk`
	at := a.JoinAttempt(r.Occurrence)
	if a.Attempt == nil {
		if err := tx.QueryRow(ctx, insertParticipant, pargs...).Scan(&r.ParticipantPK); err != nil {
			return r, nil, err
		}
	} else {
		// The participant and its attempt in one statement: one round
		// trip less while the group holds its locks.
		err := tx.QueryRow(ctx, `WITH p AS (`+insertParticipant+`)
			INSERT INTO attempts (at, meeting_pk, occurrence_pk, occurrence, channel, source, method, outcome, reason, participant_pk)
			SELECT $16, $17, $18, $19, $20, $21, $22, $23, $24, p.pk FROM p RETURNING participant_pk, id`,
			append(pargs, sqlstore.Nanos(at.At), at.MeetingPK, at.OccurrencePK, at.Occurrence, string(at.Channel), at.Source, at.Method,
				at.Outcome, at.Reason)...).Scan(&r.ParticipantPK, &r.AttemptID)
		if err != nil {
			return r, nil, err
		}
		at.ParticipantPK = r.ParticipantPK
	}
	e, err := db.joinEvent(ctx, tx, &at, p.ID)
	return r, e, err
}

// nextSeq returns the number for the next holder of the invitee's
// credential in the occurrence (see admit.NextSharedSeq).
func nextSeq(ctx context.Context, tx querier, occurrencePK, inviteePK int64) (int, error) {
	rows, err := tx.Query(ctx, `SELECT seq FROM participants
		WHERE occurrence_pk = $1 AND invitee_pk = $2 AND state IN ('waiting', 'admitted') ORDER BY seq`,
		occurrencePK, inviteePK)
	if err != nil {
		return 0, err
	}
	used, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return 0, err
	}
	return admit.NextSharedSeq(used), nil
}

// dummyBudgets is how many meeting_budgets rows (keys -1 to
// -dummyBudgets, made by migration 00104) the refusals that count against
// no meeting update, to do the same work as those that do: the row of the
// identifier tried (Attempt.Spread), as a real meeting's refusals update
// the meeting's own row. Were every unknown identifier's refusal to update
// one shared row, they would queue on its lock, and a row updated again
// and again costs less than one updated for the first time: either tells
// a real meeting from an unknown one by time
// (e2e.TestNoTimingOracleOnColdCachePostgres saw 0.2 to 0.3 ms).
const dummyBudgets = 65536

// dummyBudget returns the dummy row of a refusal that counts against no
// meeting.
func dummyBudget(a *admit.Attempt) int64 { return -1 - (a.Spread&math.MaxInt64)%dummyBudgets }

// RecordAttempt appends a refused attempt, setting its ID, and its audit
// entry; a failed guess (GuessBudget set) is counted toward the meeting's
// guess budget in the same write (setting BudgetFailures and
// BudgetSpent), in a group commit (see batch.go). It returns once both are
// committed.
func (db *DB) RecordAttempt(ctx context.Context, a *admit.Attempt) error {
	var id int64
	var failures int
	var spent bool
	// Every refusal does the same work, whether or not it counts against a
	// meeting's guess budget, so that time does not tell a wrong passcode
	// for a real meeting from an unknown meeting.
	refusal := a.Outcome == admit.OutcomeRefused
	counted := a.GuessBudget > 0 && a.MeetingPK != 0
	countPK, budget := a.MeetingPK, a.GuessBudget
	if !counted {
		countPK, budget = dummyBudget(a), math.MaxInt32
	}
	// Keyed before every admission of the group (whose keys are
	// occurrence pks, positive), by meeting: refusals lock budget rows,
	// admissions code and invitee rows, so groups take them in one order.
	err := db.batch.do(ctx, math.MinInt64/2+countPK, func(ctx context.Context, tx querier) ([]*admit.Event, error) {
		var err error
		failures, spent = 0, false
		if id, err = insertAttempt(ctx, tx, a); err != nil {
			return nil, err
		}
		if refusal {
			if failures, spent, err = countFailure(ctx, tx, countPK, budget, a.At); err != nil {
				return nil, err
			}
			if !counted {
				failures, spent = 0, false
			}
		}
		e, err := db.joinEvent(ctx, tx, a, "")
		if err != nil {
			return nil, err
		}
		return []*admit.Event{e}, nil
	})
	if err != nil {
		return err
	}
	a.BudgetFailures, a.BudgetSpent = failures, spent
	a.ID = id
	return nil
}

func insertAttempt(ctx context.Context, tx querier, a *admit.Attempt) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO attempts (at, meeting_pk, occurrence_pk, occurrence, channel,
		source, method, outcome, reason, participant_pk) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		sqlstore.Nanos(a.At), a.MeetingPK, a.OccurrencePK, a.Occurrence, string(a.Channel), a.Source, a.Method,
		a.Outcome, a.Reason, a.ParticipantPK).Scan(&id)
	return id, err
}

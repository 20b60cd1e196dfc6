package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlstore"
)

// countFailure counts a failed guess toward the meeting's budget a, in the
// refused attempt's transaction, and reports the count after it and
// whether this failure spent the budget. The budget's row is created if
// missing, or locked (an upsert) before it is read, so that concurrent
// failures on any node count one by one and exactly one of them spends
// the budget. Spending clears passcode_at: the passcode must be
// regenerated after it for the budget to be reset.
func countFailure(ctx context.Context, tx querier, meetingPK int64, a int, now time.Time) (failures int, spent bool, err error) {
	// Creates the row or, when it exists, locks its latest version (the
	// no-op DO UPDATE waits for a concurrent counter) and reads it.
	var was *int64
	err = tx.QueryRow(ctx, `INSERT INTO meeting_budgets (meeting_pk) VALUES ($1)
		ON CONFLICT (meeting_pk) DO UPDATE SET meeting_pk = EXCLUDED.meeting_pk RETURNING spent_at`, meetingPK).Scan(&was)
	if err != nil {
		return 0, false, err
	}
	var after *int64
	err = tx.QueryRow(ctx, `UPDATE meeting_budgets SET failures = failures + 1,
			spent_at = COALESCE(spent_at, CASE WHEN failures + 1 >= $2 THEN $3::bigint END),
			passcode_at = CASE WHEN spent_at IS NULL AND failures + 1 >= $2 THEN NULL ELSE passcode_at END
		WHERE meeting_pk = $1 RETURNING failures, spent_at`, meetingPK, a, sqlstore.Nanos(now)).Scan(&failures, &after)
	if err != nil {
		return 0, false, err
	}
	return failures, was == nil && after != nil, nil
}

// holdIfSpent puts an admission with a guessable credential in the waiting
// room when its meeting's guess budget is spent (see admit.Admission).
func holdIfSpent(ctx context.Context, tx querier, a *admit.Admission) error {
	p := a.Participant
	if !a.ChecksGuessBudget() {
		return nil
	}
	var failures int
	var spent *int64
	err := tx.QueryRow(ctx, `SELECT b.failures, b.spent_at FROM meeting_budgets b
		JOIN occurrences o ON o.meeting_pk = b.meeting_pk WHERE o.pk = $1`, p.OccurrencePK).Scan(&failures, &spent)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	if spent == nil && failures < a.GuessBudget {
		return nil
	}
	a.HoldForBudget()
	return nil
}

// FindGuessBudget returns the meeting's guess budget (the zero budget when
// no failure was ever counted).
func (db *DB) FindGuessBudget(ctx context.Context, meetingPK int64) (*admit.GuessBudget, error) {
	var b admit.GuessBudget
	var spent, passcode, reset *int64
	err := db.pool.QueryRow(ctx, `SELECT failures, spent_at, passcode_at, reset_at FROM meeting_budgets
		WHERE meeting_pk = $1`, meetingPK).Scan(&b.Failures, &spent, &passcode, &reset)
	if errors.Is(err, pgx.ErrNoRows) {
		return &b, nil
	} else if err != nil {
		return nil, err
	}
	b.SpentAt, b.ResetAt, b.PasscodeRegenerated = sqlstore.PtrFromNanos(spent), sqlstore.PtrFromNanos(reset), passcode != nil
	return &b, nil
}

// MarkPasscodeRegenerated records that the meeting's passcode was
// regenerated at now.
func (db *DB) MarkPasscodeRegenerated(ctx context.Context, meetingPK int64, now time.Time) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO meeting_budgets (meeting_pk, passcode_at) VALUES ($1, $2)
		ON CONFLICT (meeting_pk) DO UPDATE SET passcode_at = $2`, meetingPK, sqlstore.Nanos(now))
	return err
}

// ResetGuessBudget sets the meeting's failures to 0 and its budget to not
// spent, only when the passcode was regenerated since the budget was spent;
// else ECONFLICT.
func (db *DB) ResetGuessBudget(ctx context.Context, meetingPK int64, now time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE meeting_budgets SET failures = 0, spent_at = NULL, passcode_at = NULL, reset_at = $1
		WHERE meeting_pk = $2 AND passcode_at IS NOT NULL`, sqlstore.Nanos(now), meetingPK)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return &admit.Error{Code: admit.ECONFLICT, Field: "passcode",
			Message: "The passcode has not been regenerated since the guess budget was spent."}
	}
	return nil
}

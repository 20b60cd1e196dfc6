package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlstore"
)

// countFailure counts a failed guess toward the meeting's budget a, in the
// refused attempt's write, and reports the count after it and whether this
// failure spent the budget. Spending clears passcode_at: the passcode must
// be regenerated after it for the budget to be reset.
func countFailure(ctx context.Context, tx *wtx, meetingPK int64, a int, now time.Time) (failures int, spent bool, err error) {
	var was sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT spent_at FROM meeting_budgets WHERE meeting_pk = ?`, meetingPK).Scan(&was)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	var after sql.NullInt64
	err = tx.QueryRowContext(ctx, `INSERT INTO meeting_budgets (meeting_pk, failures, spent_at)
		VALUES (?1, 1, CASE WHEN 1 >= ?2 THEN ?3 END)
		ON CONFLICT (meeting_pk) DO UPDATE SET failures = failures + 1,
			spent_at = COALESCE(spent_at, CASE WHEN failures + 1 >= ?2 THEN ?3 END),
			passcode_at = CASE WHEN spent_at IS NULL AND failures + 1 >= ?2 THEN NULL ELSE passcode_at END
		RETURNING failures, spent_at`, meetingPK, a, sqlstore.Nanos(now)).Scan(&failures, &after)
	if err != nil {
		return 0, false, err
	}
	return failures, !was.Valid && after.Valid, nil
}

// budgetSpent reports, inside an admission's write, whether the guess budget
// a of the occurrence's meeting is spent.
func budgetSpent(ctx context.Context, tx *wtx, occurrencePK int64, a int) (bool, error) {
	var failures int
	var spent sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT b.failures, b.spent_at FROM meeting_budgets b
		JOIN occurrences o ON o.meeting_pk = b.meeting_pk WHERE o.pk = ?`, occurrencePK).Scan(&failures, &spent)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return spent.Valid || failures >= a, nil
}

// holdIfSpent puts an admission with a guessable credential in the waiting
// room when its meeting's guess budget is spent (see admit.Admission).
func holdIfSpent(ctx context.Context, tx *wtx, a *admit.Admission) error {
	p := a.Participant
	if !a.ChecksGuessBudget() {
		return nil
	}
	spent, err := budgetSpent(ctx, tx, p.OccurrencePK, a.GuessBudget)
	if err != nil || !spent {
		return err
	}
	a.HoldForBudget()
	return nil
}

// FindGuessBudget returns the meeting's guess budget (the zero budget when
// no failure was ever counted).
func (db *DB) FindGuessBudget(ctx context.Context, meetingPK int64) (*admit.GuessBudget, error) {
	var b admit.GuessBudget
	var spent, passcode, reset *int64
	err := db.rdb.QueryRowContext(ctx, `SELECT failures, spent_at, passcode_at, reset_at FROM meeting_budgets
		WHERE meeting_pk = ?`, meetingPK).Scan(&b.Failures, &spent, &passcode, &reset)
	if errors.Is(err, sql.ErrNoRows) {
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
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meeting_budgets (meeting_pk, passcode_at) VALUES (?1, ?2)
			ON CONFLICT (meeting_pk) DO UPDATE SET passcode_at = ?2`, meetingPK, sqlstore.Nanos(now))
		return err
	})
}

// ResetGuessBudget sets the meeting's failures to 0 and its budget to not
// spent, only when the passcode was regenerated since the budget was spent;
// else ECONFLICT.
func (db *DB) ResetGuessBudget(ctx context.Context, meetingPK int64, now time.Time) error {
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE meeting_budgets SET failures = 0, spent_at = NULL, passcode_at = NULL, reset_at = ?
			WHERE meeting_pk = ? AND passcode_at IS NOT NULL`, sqlstore.Nanos(now), meetingPK)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return &admit.Error{Code: admit.ECONFLICT, Field: "passcode",
				Message: "The passcode has not been regenerated since the guess budget was spent."}
		}
		return nil
	})
}

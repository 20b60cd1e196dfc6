-- Guess budgets: the failed guesses at each meeting's passcodes, counted by
-- the join path in the same write as the refused attempt (see
-- admit.GuessBudgetStore). The counter lives apart from meetings so that
-- counting does not fire the meeting_changes triggers, which would empty the
-- join cache on every failure.

-- +goose Up
CREATE TABLE meeting_budgets (
	meeting_pk  INTEGER PRIMARY KEY,
	failures    INTEGER NOT NULL DEFAULT 0, -- since the last reset
	spent_at    INTEGER,  -- when failures reached the budget; NULL while not spent
	passcode_at INTEGER,  -- when the passcode was regenerated since the budget was spent
	reset_at    INTEGER   -- when the host last reset the budget
) WITHOUT ROWID;

-- +goose Down
DROP TABLE meeting_budgets;

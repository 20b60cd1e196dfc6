-- Hardening (issue 10, part 2): an entry the spent guess budget put in the
-- waiting room: 1 when its passcode or PIN was right, 2 when it was wrong
-- (admit.BudgetHold); 0 for everyone else.

-- +goose Up
ALTER TABLE participants ADD COLUMN budget_hold INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE participants DROP COLUMN budget_hold;

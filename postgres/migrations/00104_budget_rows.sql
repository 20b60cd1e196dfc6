-- Timing (issue 10 with issue 18): every meeting has its guess-budget row
-- from the start, and a refusal of an unknown identifier updates the dummy
-- row of that identifier (one of 65,536, keys -1 to -65536), so that every
-- refused guess updates an existing row that no other refusal queues on,
-- for the first time on a first try and again on a second, as a real
-- meeting's: a real meeting's refusal is no slower than an unknown one's.

-- +goose Up
INSERT INTO meeting_budgets (meeting_pk) SELECT pk FROM meetings ON CONFLICT DO NOTHING;
INSERT INTO meeting_budgets (meeting_pk) SELECT -g FROM generate_series(1, 65536) AS g ON CONFLICT DO NOTHING;

-- +goose Down
DELETE FROM meeting_budgets WHERE meeting_pk < 0;

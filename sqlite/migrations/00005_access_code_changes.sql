-- Access-code changes reach the change log too, so that the join path's
-- directory of identifiers (admit.JoinCache) can answer access codes from
-- memory. Counting a use (uses) is not a change.

-- +goose Up
-- +goose StatementBegin
CREATE TRIGGER access_codes_insert_change AFTER INSERT ON access_codes
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (NEW.meeting_pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER access_codes_update_change
AFTER UPDATE OF idx, occurrence_pk, occurrence_idx, reserved_from, reserved_until, revoked_at ON access_codes
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (NEW.meeting_pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER access_codes_delete_change AFTER DELETE ON access_codes
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (OLD.meeting_pk);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER access_codes_insert_change;
DROP TRIGGER access_codes_update_change;
DROP TRIGGER access_codes_delete_change;

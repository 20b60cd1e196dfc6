-- Meeting changes: every write to what the join path caches (a meeting, its
-- occurrences, credentials and invitees) appends the meeting's pk here, by
-- trigger, whichever process writes. Servers poll the log to drop what they
-- cached (see admit.JoinCache); old entries are trimmed as new ones come.

-- +goose Up
CREATE TABLE meeting_changes (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	meeting_pk INTEGER NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER meetings_insert_change AFTER INSERT ON meetings
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (NEW.pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER meetings_update_change AFTER UPDATE ON meetings
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (NEW.pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER meetings_delete_change AFTER DELETE ON meetings
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (OLD.pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER occurrences_insert_change AFTER INSERT ON occurrences
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (NEW.meeting_pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER occurrences_update_change AFTER UPDATE ON occurrences
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (NEW.meeting_pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER occurrences_delete_change AFTER DELETE ON occurrences
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (OLD.meeting_pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER credentials_insert_change AFTER INSERT ON credentials
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (NEW.meeting_pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER credentials_update_change AFTER UPDATE ON credentials
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (NEW.meeting_pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER credentials_delete_change AFTER DELETE ON credentials
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (OLD.meeting_pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER invitees_insert_change AFTER INSERT ON invitees
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (NEW.meeting_pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER invitees_update_change AFTER UPDATE ON invitees
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (NEW.meeting_pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER invitees_delete_change AFTER DELETE ON invitees
BEGIN
	INSERT INTO meeting_changes (meeting_pk) VALUES (OLD.meeting_pk);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER meeting_changes_trim AFTER INSERT ON meeting_changes WHEN NEW.seq % 1000 = 0
BEGIN
	DELETE FROM meeting_changes WHERE seq <= NEW.seq - 100000;
END;
-- +goose StatementEnd

-- +goose Down

DROP TRIGGER meetings_insert_change;
DROP TRIGGER meetings_update_change;
DROP TRIGGER meetings_delete_change;
DROP TRIGGER occurrences_insert_change;
DROP TRIGGER occurrences_update_change;
DROP TRIGGER occurrences_delete_change;
DROP TRIGGER credentials_insert_change;
DROP TRIGGER credentials_update_change;
DROP TRIGGER credentials_delete_change;
DROP TRIGGER invitees_insert_change;
DROP TRIGGER invitees_update_change;
DROP TRIGGER invitees_delete_change;
DROP TRIGGER meeting_changes_trim;
DROP TABLE meeting_changes;

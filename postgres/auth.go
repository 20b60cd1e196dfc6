package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit/sqlstore"
)

// Passwords, sessions and one-time links are sqlstore.Shared's.

// DeleteUser removes the user, in one transaction: its meetings pass to
// transferTo, its personal room is deleted as DeleteMeeting does, and its
// sessions, one-time links and API tokens are removed. ENOTFOUND; EINVALID
// (field "transfer_to"). Both users' rows are locked, so that neither goes
// while its meetings move (transferTo stays, so its key is left free for
// new references).
func (db *DB) DeleteUser(ctx context.Context, userID, transferTo int64, now time.Time) error {
	now = now.UTC()
	return db.write(ctx, true, func(ctx context.Context, tx pgx.Tx) error {
		return sqlstore.DeleteUser(ctx, sq(tx), userID, transferTo, now, " FOR UPDATE", " FOR NO KEY UPDATE",
			func(room int64) error { return deleteMeeting(ctx, tx, room, now) })
	})
}

package sqlite

import (
	"context"
	"time"

	"github.com/admit-project/admit/sqlstore"
)

// Passwords, sessions and one-time links are sqlstore.Shared's.

// DeleteUser removes the user; its meetings pass to transferTo and its
// personal room is deleted. ENOTFOUND; EINVALID (field "transfer_to").
func (db *DB) DeleteUser(ctx context.Context, userID, transferTo int64, now time.Time) error {
	now = now.UTC()
	return db.write(ctx, func(ctx context.Context, tx *wtx) error {
		return sqlstore.DeleteUser(ctx, sq(tx), userID, transferTo, now, "", "",
			func(room int64) error { return deleteMeeting(ctx, tx, room, now) })
	})
}

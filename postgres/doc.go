// Package postgres implements admit.Store on PostgreSQL (pgx with a
// connection pool), for several admit nodes serving one service.
//
// Each guarantee of admit.Store rests on the database, not on one process:
// a meeting number is unique for ever (the numbers table, which triggers
// keep from deletes and updates); two reservations of one access code never
// overlap (an exclusion constraint over the code's keyed index and its
// reservation range); an access code's max_uses is never exceeded (a
// conditional UPDATE … WHERE uses < max_uses); guess budgets are exact
// (the budget's row is locked while counting); and appends from every node
// form one audit chain (each append locks the chain's head row).
//
// Whatever the join path caches is invalidated through the change log
// (meeting_changes, written by triggers) and LISTEN/NOTIFY: the store keeps
// one listening connection and answers MeetingChanges from memory while no
// notification arrived. Feed carries admit.Changes between nodes on the
// same connection.
//
// Migrations are embedded SQL files applied by Open with goose, under a
// PostgreSQL advisory lock so that nodes starting together apply them once.
//
// The package may import the standard library, package admit, pgx and the
// migration library; nothing else of admit.
package postgres

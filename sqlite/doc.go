// Package sqlite implements admit.Store on an embedded SQLite database
// (modernc.org/sqlite, pure Go).
//
// The database runs in WAL mode with a busy timeout, so that the server and
// the CLI may use the same file at once. Writes go through one connection,
// and through one goroutine that commits queued operations in groups (group
// commit): each operation runs in a savepoint of the group's transaction, so
// that one failing operation rolls back alone, and callers are answered only
// once the group is durably committed (synchronous=FULL). Reads use a
// separate pool of connections and run alongside writes.
//
// The uniqueness rules of admit.Store are enforced by the schema (unique
// keys and triggers), not only by checks in Go. Migrations are embedded SQL
// files applied by Open with goose.
//
// The package may import the standard library, package admit, the SQLite
// driver and the migration library; nothing else of admit.
package sqlite

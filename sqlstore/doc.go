// Package sqlstore holds the SQL both stores run the same way: statements
// written once, in the dialect SQLite and PostgreSQL share, with "?"
// placeholders, and the Go around them. Each store hands it a Querier over
// its own connection or transaction (sqlite: database/sql on modernc's
// driver; postgres: pgx, whose Querier numbers the placeholders $1, $2, …)
// and keeps to itself only what is its dialect or deliberately different:
// transactions and the writer, PostgreSQL's pipelining and group commit,
// the join path's reads, migrations.
//
// Times are stored as unix nanoseconds (UTC); a nullable time is a NULL
// column, read into an *int64.
//
// It may import the standard library, the root package admit, rowscan and
// translog (whose store the audit log's tables are): no database driver, no
// store.
package sqlstore

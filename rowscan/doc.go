// Package rowscan reads SQL result rows into the domain's values, once for
// every store: both sqlite (database/sql) and postgres (pgx) hand it their
// rows, which share the Next, Scan and Err methods. The columns a scanner
// reads are given in its comment; each store writes its own SELECT, in its
// own dialect, and maps "no rows" to its own not-found error.
//
// It may import the standard library and the root package admit only: no
// database driver, no store.
package rowscan

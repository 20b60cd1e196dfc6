// Package logtest is the conformance and attack suite every translog.Store
// runs (the in-memory one, SQLite, PostgreSQL): a store under test comes
// with an Attacker, its database changed directly as someone with write
// access and no signing key could, and the suite checks that Verify,
// against the checkpoint a witness holds, names the first bad entry or the
// checkpoint the log fails, for each attack.
//
// Imports: the standard library, testing, admit, translog and the merkle
// library.
package logtest

// Package memstore is an in-memory translog.Store: the audit log's entries,
// tree nodes, tree state and checkpoints in one process's memory. It is the
// sibling of the SQLite and PostgreSQL stores and doubles as their fake in
// tests; Tamper lets a test act as an attacker with write access to the
// store.
//
// Imports: the standard library, admit, translog and the merkle library's
// compact package.
package memstore

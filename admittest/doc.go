// Package admittest builds a ready application for tests: an app.Service on
// a SQLite store in a temporary directory, with fixed keys and an injected
// clock, and an owner to act as. It replaces the "Service on SQLite"
// fixtures each test package used to write.
//
// It is for tests only. It may import the root package, app, memory, clock
// and the stores and adapters (sqlite, keys, jwt); never an edge (http, web)
// or cmd, so that the edges' tests can use it.
package admittest

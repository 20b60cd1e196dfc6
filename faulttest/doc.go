// Package faulttest starts real servers for fault tests and benchmarks, each
// private to its caller: a PostgreSQL cluster made with initdb in a
// temporary directory on its own loopback port, a redis-server on its own
// port, and a Toxiproxy between a client and a server to add latency or cut
// the link. It never touches the machine's shared PostgreSQL or Redis.
//
// Every server has two ways in: Launch* functions that return an error (for
// commands such as admit-bench) and Start* helpers for tests, which stop the
// server in t.Cleanup and skip the test when a binary is missing, except
// when the environment variable CI is "true", where they fail it.
//
// Binaries are found as in COMMON.md: env ADMIT_TOOLS_BIN (a directory),
// then ~/.cache/admit-tools/bin, then PATH; PostgreSQL's under
// /usr/lib/postgresql/*/bin, newest first. Run as root, PostgreSQL's
// programs run as the postgres user (runuser), in a directory it owns.
//
// It may import the standard library only.
package faulttest

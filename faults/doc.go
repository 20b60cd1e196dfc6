// Package faults holds admit's fault tests, and nothing else: nodes wired
// as `admit serve --db` wires them (app.Service, the http edge, the
// PostgreSQL store, limits in PostgreSQL or Redis), run in the test's
// process against servers the test starts for itself with package
// faulttest (a private PostgreSQL cluster, redis-server, Toxiproxy), never
// the machine's shared ones. Each test ends by itself.
//
// The package has no code outside its tests; its tests may import any of
// admit's packages.
package faults

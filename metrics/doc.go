// Package metrics is admit's Prometheus instrumentation: the collectors of
// the join path (joins by channel and outcome, their latency, limiter
// refusals, guess budgets spent), of the stores' group commits (group
// sizes, waits, commit times, backlog, errors) and of answers that say a
// store was out of reach, all registered on a registry the caller passes in
// (no global state), and the admin handler that serves them with pprof.
//
// Other parts of admit (the mail outbox, SIP dial-in) add their own
// collectors with Metrics.Register.
//
// It may import the standard library, packages admit and edge, and the
// Prometheus client library.
package metrics

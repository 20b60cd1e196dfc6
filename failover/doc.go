// Package failover keeps admit's per-source limits when their shared
// store fails: Limiter consults a primary admit.SourceLimiter (Redis) and,
// while it cannot be reached, a secondary one (the database's), so that a
// Redis outage neither fails joins nor lets guesses through unlimited; once
// the primary answers again, the nodes return to it.
//
// It may import the standard library and package admit only.
package failover

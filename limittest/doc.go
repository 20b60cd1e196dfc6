// Package limittest is the conformance suite of admit.SourceLimiter: the
// memory limiter, the redis limiter and the postgres fallback limiter all
// run Run and must pass it, so that every deployment mode enforces the
// same per-source limits.
//
// The suite drives limiters with fixed times passed to Reserve, never the
// wall clock. It may import the standard library and package admit only.
package limittest

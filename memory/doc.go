// Package memory holds the in-process implementations of the domain's
// shared-state interfaces: a SourceLimiter and a ChangeFeed for one node.
// They are the siblings of the Redis and PostgreSQL ones and double as
// fakes in tests.
//
// It may import the root package admit and the standard library only.
package memory

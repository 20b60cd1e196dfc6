// Package sourcelimit decides whether a source (an address, an IPv6 /64, a
// caller's identity passed on by a trusted gateway) may have its next join
// attempt evaluated, counting the different identifiers it tried without
// success (meeting IDs, access codes, link tokens) rather than its
// failures.
//
// Counting failures locks out an office: hundreds of people behind one
// address make dozens of typos at the one meeting they all join, and a
// gateway puts every phone caller behind one address. Counting identifiers
// stops what the per-source limit is for, war-dialling, which must try many
// identifiers to find one, while guessing at one meeting stays bounded by
// that meeting's guess budget (and, for load, by a generous limit on one
// source's failures at one identifier).
//
// A Limiter routes each attempt to one of two admit.SourceLimiter values:
// the first attempt of a source at an identifier goes to Distinct (its
// failures are the distinct identifiers tried; 20 an hour by default), later
// ones to Repeat, under a key of the source and the identifier (100
// failures an hour, delays after 50). The routing table (which identifiers a
// source tried) lives in the process's memory; the two limiters may be
// shared by several nodes (redis, postgres), so a source spreading its
// attempts over n nodes gets each identifier counted as distinct at most n
// times: never less than once.
//
// It imports only the standard library and the admit domain package.
package sourcelimit

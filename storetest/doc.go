// Package storetest is the conformance suite of admit.Store: every backend
// (sqlite, later postgres) runs Run against a fresh store and must pass it.
//
// The suite builds its meetings by hand, with arbitrary byte strings for the
// secret indexes and fixed times, so that it tests the store's rules alone
// and not app.Service. It may import the standard library and package
// admit only.
//
// It also holds the hot path's benchmarks (BenchFindJoinData,
// BenchAdmitParallel, BenchRecordAttemptParallel), which each store's
// Benchmark functions run on a fresh store of their own.
package storetest

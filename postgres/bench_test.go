package postgres_test

import (
	"testing"
	"time"

	"github.com/admit-project/admit/postgres"
	"github.com/admit-project/admit/storetest"
)

// benchDB opens a store on a fresh schema for one benchmark (see
// storetest's).
func benchDB(b *testing.B) *postgres.DB {
	db := MustOpenDB(b, FreshSchema(b))
	b.Cleanup(func() { db.Close() })
	return db
}

// benchSaved is when the benchmarks' meeting is saved: an hour before it
// starts.
var benchSaved = storetest.BenchT0.Add(-time.Hour)

func BenchmarkFindJoinData(b *testing.B) {
	storetest.BenchFindJoinData(b, benchDB(b), benchSaved)
}

// BenchmarkAdmitParallel admits with many requests in flight: every
// admission takes the audit chain's head lock, so they commit one by one.
func BenchmarkAdmitParallel(b *testing.B) {
	storetest.BenchAdmitParallel(b, benchDB(b), benchSaved)
}

func BenchmarkRecordAttemptParallel(b *testing.B) {
	storetest.BenchRecordAttemptParallel(b, benchDB(b), benchSaved)
}

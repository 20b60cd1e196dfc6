package sqlite_test

import (
	"testing"

	"github.com/admit-project/admit/sqlite"
	"github.com/admit-project/admit/storetest"
)

// benchDB opens a fresh database for one benchmark (see storetest's).
func benchDB(b *testing.B) *sqlite.DB {
	db := MustOpenDB(b)
	b.Cleanup(func() { db.Close() })
	return db
}

func BenchmarkFindJoinData(b *testing.B) {
	storetest.BenchFindJoinData(b, benchDB(b), storetest.BenchT0)
}

func BenchmarkAdmitParallel(b *testing.B) {
	storetest.BenchAdmitParallel(b, benchDB(b), storetest.BenchT0)
}

func BenchmarkRecordAttemptParallel(b *testing.B) {
	storetest.BenchRecordAttemptParallel(b, benchDB(b), storetest.BenchT0)
}

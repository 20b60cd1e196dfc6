package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/limittest"
	"github.com/admit-project/admit/postgres"
)

// TestLimiterConformance runs the limiter conformance suite with n
// limiters on n stores (pools) of one fresh schema, as n nodes would.
func TestLimiterConformance(t *testing.T) {
	limittest.Run(t, limittest.Backend{Hold: postgres.DefaultLimiterHold, Open: func(tb testing.TB, p admit.SourcePolicy, n int) []admit.SourceLimiter {
		dsn := FreshSchema(tb)
		var ls []admit.SourceLimiter
		for i := 0; i < n; i++ {
			db := MustOpenDB(tb, dsn)
			tb.Cleanup(func() { db.Close() })
			ls = append(ls, postgres.NewLimiter(db.Pool(), p))
		}
		return ls
	}})
}

// TestLimiterSweep checks that the rows of idle sources are deleted, so
// that the table follows the active sources, and that a source's row
// stays while its failures count.
func TestLimiterSweep(t *testing.T) {
	db := MustOpenDB(t, FreshSchema(t))
	defer db.Close()
	p := admit.DefaultSourcePolicy()
	l := postgres.NewLimiter(db.Pool(), p)
	ctx := context.Background()
	t0 := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	for _, src := range []string{"192.0.2.1", "192.0.2.2"} {
		r, err := l.Reserve(ctx, src, t0)
		if err != nil {
			t.Fatal(err)
		}
		r.Done(src == "192.0.2.1") // one failure; one success
	}
	rows := func() int {
		var n int
		if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM source_limits`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := rows(); n != 2 {
		t.Fatalf("%d rows after two sources tried, want 2", n)
	}
	// A minute later the sweep drops the source that holds nothing.
	r, err := l.Reserve(ctx, "192.0.2.3", t0.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	r.Done(false)
	if n := rows(); n != 2 {
		t.Errorf("%d rows after the first sweep, want 2 (the failing source and the new one)", n)
	}
	// After the window everything idle goes.
	r, err = l.Reserve(ctx, "192.0.2.4", t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	r.Done(false)
	if n := rows(); n != 1 {
		t.Errorf("%d rows after the window, want 1 (the source just seen)", n)
	}
}

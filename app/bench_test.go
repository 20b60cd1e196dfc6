package app_test

import (
	"context"
	"crypto/rand"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/admittest"
	"github.com/admit-project/admit/app"
)

// benchMeetings is how many meetings the join benchmarks spread their joins
// over.
const benchMeetings = 200

// mustJoinBench returns a service on SQLite with n open meetings (a day
// long, started a minute ago) and their credentials. cmd/admit-bench
// measures the same path over HTTP with large stores.
func mustJoinBench(b *testing.B, n int) (*app.Service, []*admit.MeetingView) {
	b.Helper()
	svc, host, clock := mustService(b, rand.Reader)
	// Every join comes from one address and tries benchMeetings meeting
	// IDs: the per-source limits (tested on their own) stay out of the way.
	svc.Limiter = admittest.OpenLimiter()
	ctx := context.Background()
	views := make([]*admit.MeetingView, n)
	for i := range views {
		v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Kind: ptr(admit.KindScheduled), Start: ptr(t0), DurationMinutes: ptr(admit.MaxDurationMinutes)})
		if err != nil {
			b.Fatal(err)
		}
		views[i] = v
	}
	clock.Set(t0.Add(time.Minute))
	return svc, views
}

// BenchmarkJoinAdmitted joins open meetings with their meeting ID and
// passcode: each join is admitted and durably recorded.
func BenchmarkJoinAdmitted(b *testing.B) {
	svc, views := mustJoinBench(b, benchMeetings)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(16) // many joins in flight, as on a busy server
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := mrand.New(mrand.NewPCG(mrand.Uint64(), 1))
		for pb.Next() {
			v := views[rng.IntN(len(views))]
			res, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: v.MeetingID, Passcode: v.Passcode, Name: "Bench", Source: "127.0.0.1"})
			if err != nil {
				b.Error(err)
				return
			}
			if res.Status != admit.StatusAdmitted {
				b.Errorf("join status %q, want %q", res.Status, admit.StatusAdmitted)
				return
			}
		}
	})
}

// BenchmarkJoinRefused joins open meetings with a wrong passcode: each join
// is refused and the attempt recorded. The joins are spread over enough
// meetings that none spends its guess budget (after which a wrong passcode
// is held in the waiting room, not refused).
func BenchmarkJoinRefused(b *testing.B) {
	svc, views := mustJoinBench(b, max(benchMeetings, 2*b.N/admit.DefaultGuessBudget+1))
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := mrand.New(mrand.NewPCG(mrand.Uint64(), 1))
		for pb.Next() {
			v := views[rng.IntN(len(views))]
			_, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: v.MeetingID, Passcode: v.Passcode + "x", Name: "Bench", Source: "127.0.0.1"})
			if admit.ErrorCode(err) != admit.EREFUSED {
				b.Errorf("join with a wrong passcode: %v, want %s", err, admit.EREFUSED)
				return
			}
		}
	})
}

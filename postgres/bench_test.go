package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/postgres"
)

// benchMeeting opens a store on a fresh schema with one meeting of one
// occurrence, as sqlite's benchmarks do.
func benchMeeting(b *testing.B) (*postgres.DB, *admit.Meeting) {
	b.Helper()
	ctx := context.Background()
	db := MustOpenDB(b, FreshSchema(b))
	b.Cleanup(func() { db.Close() })
	a := &admit.Account{Name: "Acme", Plan: admit.PlanFree, Security: admit.DefaultAccountSecurity()}
	must(b, db.CreateAccount(ctx, a))
	u := &admit.User{AccountID: a.ID, Email: "host@example.com", Name: "Host", Role: admit.RoleOwner, Timezone: "UTC"}
	must(b, db.CreateUser(ctx, u))
	o := admit.NewOccurrence(1, t0, 60, admit.DefaultSecurity())
	o.AccessCode = &admit.Secret{Index: []byte("bench-code"), Sealed: []byte("sealed")}
	m := &admit.Meeting{ID: "mbench", AccountID: a.ID, HostID: u.ID, Number: "81234567890", Topic: "Bench",
		Kind: admit.KindScheduled, Start: t0, Duration: 60, Timezone: "UTC", Security: admit.DefaultSecurity(),
		Passcode:    &admit.Secret{Index: []byte("bench-pass"), Sealed: []byte("sealed")},
		Occurrences: []*admit.Occurrence{o}}
	must(b, db.SaveMeeting(ctx, m, t0.Add(-time.Hour)))
	return db, m
}

func BenchmarkFindJoinData(b *testing.B) {
	db, m := benchMeeting(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.FindJoinDataByPK(ctx, m.PK); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkAdmitParallel admits with many requests in flight: every
// admission takes the audit chain's head lock, so they commit one by one.
func BenchmarkAdmitParallel(b *testing.B) {
	db, m := benchMeeting(b)
	o := m.Occurrences[0]
	ctx := context.Background()
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			p := &admit.Participant{ID: fmt.Sprintf("p%d", i), OccurrencePK: o.PK, BaseName: "Guest",
				Channel: admit.ChannelWeb, Source: "192.0.2.1", State: admit.StateAdmitted, JoinedAt: t0}
			a := &admit.Admission{Participant: p, ViaAccessCode: true, Attempt: &admit.Attempt{At: t0,
				MeetingPK: m.PK, OccurrencePK: o.PK, Channel: admit.ChannelWeb, Method: "access_code", Outcome: admit.OutcomeAdmitted}}
			if err := db.Admit(ctx, a); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkRecordAttemptParallel(b *testing.B) {
	db, m := benchMeeting(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			a := &admit.Attempt{At: t0, MeetingPK: m.PK, Channel: admit.ChannelWeb, Source: "192.0.2.1",
				Method: "meeting_id", Outcome: admit.OutcomeRefused, Reason: admit.ReasonWrongPasscode}
			if err := db.RecordAttempt(ctx, a); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

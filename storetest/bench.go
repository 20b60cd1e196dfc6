package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// BenchT0 is the benchmarks' clock: the meeting's start and every join's.
var BenchT0 = time.Date(2030, time.March, 4, 15, 0, 0, 0, time.UTC)

// benchMeeting saves, in db, one account, one host and one meeting of one
// occurrence starting at BenchT0, saved at savedAt.
func benchMeeting(b *testing.B, db admit.Store, savedAt time.Time) *admit.Meeting {
	b.Helper()
	ctx := context.Background()
	a := &admit.Account{Name: "Acme", Plan: admit.PlanFree, Security: admit.DefaultAccountSecurity()}
	if err := db.CreateAccount(ctx, a); err != nil {
		b.Fatal(err)
	}
	u := &admit.User{AccountID: a.ID, Email: "host@example.com", Name: "Host", Role: admit.RoleOwner, Timezone: "UTC"}
	if err := db.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	o := admit.NewOccurrence(1, BenchT0, 60, admit.DefaultSecurity())
	o.AccessCode = &admit.Secret{Index: []byte("bench-code"), Sealed: []byte("sealed")}
	m := &admit.Meeting{ID: "mbench", AccountID: a.ID, HostID: u.ID, Number: "81234567890", Topic: "Bench",
		Kind: admit.KindScheduled, Start: BenchT0, Duration: 60, Timezone: "UTC", Security: admit.DefaultSecurity(),
		Passcode:    &admit.Secret{Index: []byte("bench-pass"), Sealed: []byte("sealed")},
		Occurrences: []*admit.Occurrence{o}}
	if err := db.SaveMeeting(ctx, m, savedAt); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchFindJoinData reads, from many goroutines, the join data of one
// meeting that it saves in db (a fresh store) at savedAt.
func BenchFindJoinData(b *testing.B, db admit.Store, savedAt time.Time) {
	m := benchMeeting(b, db, savedAt)
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

// BenchAdmitParallel admits with many requests in flight, as on a busy
// server, into one meeting that it saves in db (a fresh store) at savedAt.
func BenchAdmitParallel(b *testing.B, db admit.Store, savedAt time.Time) {
	m := benchMeeting(b, db, savedAt)
	o := m.Occurrences[0]
	ctx := context.Background()
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			p := &admit.Participant{ID: fmt.Sprintf("p%d", i), OccurrencePK: o.PK, BaseName: "Guest",
				Channel: admit.ChannelWeb, Source: "192.0.2.1", State: admit.StateAdmitted, JoinedAt: BenchT0}
			a := &admit.Admission{Participant: p, ViaAccessCode: true, Attempt: &admit.Attempt{At: BenchT0,
				MeetingPK: m.PK, OccurrencePK: o.PK, Channel: admit.ChannelWeb, Method: "access_code", Outcome: admit.OutcomeAdmitted}}
			if err := db.Admit(ctx, a); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchRecordAttemptParallel records refused attempts with many requests
// in flight, against one meeting that it saves in db (a fresh store) at
// savedAt.
func BenchRecordAttemptParallel(b *testing.B, db admit.Store, savedAt time.Time) {
	m := benchMeeting(b, db, savedAt)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			a := &admit.Attempt{At: BenchT0, MeetingPK: m.PK, Channel: admit.ChannelWeb, Source: "192.0.2.1",
				Method: "meeting_id", Outcome: admit.OutcomeRefused, Reason: admit.ReasonWrongPasscode}
			if err := db.RecordAttempt(ctx, a); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

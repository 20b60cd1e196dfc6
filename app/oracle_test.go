package app_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/clock"
	"github.com/admit-project/admit/sqlite"
)

// attemptSpy records a copy of every attempt the service records.
type attemptSpy struct {
	admit.Store
	mu  sync.Mutex
	got []admit.Attempt
}

func (s *attemptSpy) RecordAttempt(ctx context.Context, a *admit.Attempt) error {
	s.mu.Lock()
	s.got = append(s.got, *a)
	s.mu.Unlock()
	return s.Store.RecordAttempt(ctx, a)
}

// TestRefusalNamesItsMeeting: a refused attempt at a real meeting reaches
// the store with the meeting's public ID and account, so that the store
// writes its audit entry without reading the meeting (a read that only a
// real meeting's refusal would make, on its first refusal after a start:
// issue 18's timing oracle); an unknown meeting's attempt names none. The
// audit entry names the meeting all the same.
func TestRefusalNamesItsMeeting(t *testing.T) {
	svc, host, clock := mustService(t, nil)
	spy := &attemptSpy{Store: svc.Store}
	svc.Store = spy
	ctx := context.Background()
	v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(5 * time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(5 * time.Minute))
	for _, id := range []string{v.MeetingID, "98765432109"} {
		_, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: id, Passcode: "Wrong-guess-7", Source: "192.0.2.7"})
		if admit.ErrorCode(err) != admit.EREFUSED {
			t.Fatalf("join %s with a wrong passcode: %v, want EREFUSED", id, err)
		}
	}
	spy.mu.Lock()
	got := append([]admit.Attempt(nil), spy.got...)
	spy.mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("%d attempts recorded, want 2", len(got))
	}
	if a := got[0]; a.MeetingPK == 0 || a.MeetingID != v.ID || a.AccountID != host.User.AccountID {
		t.Errorf("the real meeting's refusal: MeetingPK %d, MeetingID %q, AccountID %d; want its key, %q and %d",
			a.MeetingPK, a.MeetingID, a.AccountID, v.ID, host.User.AccountID)
	}
	if a := got[1]; a.MeetingPK != 0 || a.MeetingID != "" || a.AccountID != 0 {
		t.Errorf("the unknown meeting's refusal: MeetingPK %d, MeetingID %q, AccountID %d; want none", a.MeetingPK, a.MeetingID, a.AccountID)
	}
	events, err := svc.Store.FindEvents(ctx, admit.EventFilter{AccountID: host.User.AccountID, Target: "meeting:" + v.ID})
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, e := range events {
		if e.Action == "join.refused" {
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("%d join.refused events name the meeting, want 1", refused)
	}
}

// accountGate blocks FindAccountByID while armed, telling entered.
type accountGate struct {
	admit.Store
	mu      sync.Mutex
	reads   int
	entered chan struct{}
	release chan struct{}
	read    chan struct{} // told once a gated read is done
}

func (g *accountGate) FindAccountByID(ctx context.Context, id int64) (*admit.Account, error) {
	g.mu.Lock()
	g.reads++
	entered, release, read := g.entered, g.release, g.read
	g.mu.Unlock()
	if release == nil {
		return g.Store.FindAccountByID(ctx, id)
	}
	entered <- struct{}{}
	<-release
	a, err := g.Store.FindAccountByID(ctx, id)
	read <- struct{}{}
	return a, err
}

// TestRefusalDoesNotWaitForTheAccount: once the join path holds an
// account's guess budget, a refusal at one of its meetings never waits for
// the account to be read again (an unknown identifier's refusal reads no
// account): a copy older than its time to live is answered while the
// account is read again in the background (issue 18).
func TestRefusalDoesNotWaitForTheAccount(t *testing.T) {
	svc, host, clock := mustService(t, nil)
	gate := &accountGate{Store: svc.Store}
	svc.Store = gate
	ctx := context.Background()
	v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(5 * time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	refused := func() error {
		_, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: v.MeetingID, Passcode: "Wrong-guess-7", Source: "192.0.2.8"})
		if admit.ErrorCode(err) != admit.EREFUSED {
			return fmt.Errorf("join with a wrong passcode: %v, want EREFUSED", err)
		}
		return nil
	}
	clock.Set(t0.Add(5 * time.Minute))
	if err := refused(); err != nil {
		t.Fatal(err)
	}
	gate.mu.Lock()
	before := gate.reads
	gate.entered, gate.release, gate.read = make(chan struct{}, 1), make(chan struct{}), make(chan struct{}, 1)
	gate.mu.Unlock()
	clock.Set(t0.Add(5*time.Minute + time.Hour)) // the copy is stale
	done := make(chan error, 1)
	go func() { done <- refused() }()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(time.Minute): // a guard against a hang, not a measure
		close(gate.release)
		t.Fatal("the refusal waited for the account to be read again")
	}
	<-gate.entered // the background read
	close(gate.release)
	<-gate.read
	gate.mu.Lock()
	reads := gate.reads - before
	gate.mu.Unlock()
	if reads != 1 {
		t.Errorf("%d reads of the account for a stale copy, want 1 (in the background)", reads)
	}
}

// TestUnknownLooksUpAStandInAccount: on a service just started, an unknown
// meeting ID's first refusal looks up the account of the meeting it stands
// in for, as a real meeting's first refusal looks up its own account (one
// read, on the account's first use), so that neither tells by its time
// which kind it was.
func TestUnknownLooksUpAStandInAccount(t *testing.T) {
	svc, host, _ := mustService(t, nil)
	ctx := context.Background()
	v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(5 * time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	for _, first := range []string{"98765432109", v.MeetingID} {
		fresh := serviceOn(t, svc.Store.(*sqlite.DB).Path(), nil) // as after a restart
		fresh.Clock.(*clock.FixedClock).Set(t0.Add(5 * time.Minute))
		gate := &accountGate{Store: fresh.Store}
		fresh.Store = gate
		for _, id := range []string{first, "98765432109", v.MeetingID} {
			_, err := fresh.Join(ctx, &admit.JoinRequest{MeetingID: id, Passcode: "Wrong-guess-7", Source: "192.0.2.9"})
			if admit.ErrorCode(err) != admit.EREFUSED {
				t.Fatalf("join %s with a wrong passcode: %v, want EREFUSED", id, err)
			}
			gate.mu.Lock()
			reads := gate.reads
			gate.mu.Unlock()
			if reads != 1 {
				t.Errorf("after refusals of %s first, then %s: %d reads of the account, want 1", first, id, reads)
			}
		}
	}
}

package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
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

package app_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
)

// gatedStore holds every RecordAttempt until its gate is opened, as a slow
// disk would.
type gatedStore struct {
	admit.Store
	gate chan struct{}
}

func (g *gatedStore) RecordAttempt(ctx context.Context, at *admit.Attempt) error {
	<-g.gate
	return g.Store.RecordAttempt(ctx, at)
}

// TestRefusalsBehindChargeBudgetFirst answers wrong guesses while their
// records cannot reach the store, and checks that the guesses are charged
// to the meeting's budget in memory before their answers: with budget 3,
// after 3 answered wrong guesses a valid join waits although the store has
// counted none; once the records land, the store counts all 3.
func TestRefusalsBehindChargeBudgetFirst(t *testing.T) {
	svc, host, m := budgetFixture(t, 3)
	gated := &gatedStore{Store: svc.Store, gate: make(chan struct{})}
	svc.Store, svc.RefusalsBehind = gated, true
	for i := range 3 {
		res, err := join(svc, admit.JoinRequest{MeetingID: m.MeetingID, Passcode: fmt.Sprintf("Wrong%05d", i)})
		if admit.ErrorCode(err) != admit.EREFUSED {
			t.Fatalf("wrong guess %d: %v, %v; want refused before its record", i, res, err)
		}
	}
	if n := svc.RefusalBacklog(); n != 3 {
		t.Errorf("backlog %d, want 3", n)
	}
	res, err := join(svc, admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.Passcode, Name: "Valid"})
	wantStatus(t, res, err, admit.StatusWaiting, "valid join with the budget spent in memory")

	close(gated.gate)
	if err := svc.FlushRefusals(context.Background()); err != nil {
		t.Fatal(err)
	}
	full, err := svc.ShowMeeting(context.Background(), host, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b := full.Budget; b == nil || b.Failures != 3 || !b.Spent {
		t.Errorf("budget after the flush: %+v; want 3 failures, spent", b)
	}
	if n := svc.RefusalBacklog(); n != 0 {
		t.Errorf("backlog %d after the flush, want 0", n)
	}
	res, err = join(svc, admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.Passcode, Name: "Later"})
	wantStatus(t, res, err, admit.StatusWaiting, "valid join with the budget spent in the store")
}

// TestRefusalsBehindBounded fills the pending records (MaxPendingRefusals)
// while none can be written: the next refusal is not answered until one is
// written (here: its context ends first).
func TestRefusalsBehindBounded(t *testing.T) {
	svc, _, m := budgetFixture(t, 50)
	gated := &gatedStore{Store: svc.Store, gate: make(chan struct{})}
	svc.Store, svc.RefusalsBehind = gated, true
	var wg sync.WaitGroup
	for i := range app.MaxPendingRefusals {
		wg.Go(func() {
			if _, err := join(svc, admit.JoinRequest{MeetingID: m.MeetingID, Passcode: fmt.Sprintf("Wrong%05d", i)}); admit.ErrorCode(err) != admit.EREFUSED {
				t.Errorf("wrong guess %d: %v; want refused", i, err)
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: m.MeetingID, Passcode: "Wrong99999", Source: "192.0.2.99"})
	if admit.ErrorCode(err) == admit.EREFUSED {
		t.Errorf("refusal %d answered with %d records pending; want it held", app.MaxPendingRefusals+1, app.MaxPendingRefusals)
	}
	close(gated.gate)
	if err := svc.FlushRefusals(context.Background()); err != nil {
		t.Fatal(err)
	}
}

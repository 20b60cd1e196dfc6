package app_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/memory"
)

// TestFollowChangesAccount runs two services (two nodes) on one store and
// one feed: an account's new guess budget, set on one node, holds on the
// other at once, although the other cached the old one (its clock is fixed,
// so the cache's TTL never runs out).
func TestFollowChangesAccount(t *testing.T) {
	path := filepath.Join(t.TempDir(), "admit.db")
	feed := &memory.Feed{}
	a := serviceOn(t, path, nil)
	b := serviceOn(t, path, nil)
	a.Rand, b.Rand = lowEntropy{}, lowEntropy{}
	a.Feed, b.Feed = feed, feed
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.FollowChanges(ctx)

	acct, _, err := a.EnsureDefaultAccount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.CreateUser(ctx, acct.ID, "host@example.com", "Host", admit.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	host := &admit.Actor{User: u, Source: "test"}
	m, err := a.CreateMeeting(ctx, host, &admit.MeetingInput{Topic: ptr("Two nodes"), Kind: ptr(admit.KindInstant)})
	if err != nil {
		t.Fatal(err)
	}
	budgetOn := func(s *app.Service) int {
		t.Helper()
		v, err := s.ShowMeeting(ctx, host, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v.Budget.Budget
	}
	if got := budgetOn(b); got != admit.DefaultGuessBudget {
		t.Fatalf("node b's budget = %d, want the default %d", got, admit.DefaultGuessBudget)
	}
	if _, err := a.UpdateAccountSecurity(ctx, host, &admit.AccountSecurityInput{GuessBudget: ptr(5)}); err != nil {
		t.Fatal(err)
	}
	// The change reaches b through the feed, asynchronously: wait for it
	// (bounded), then b must show the new budget.
	got := 0
	for range 2000 {
		if got = budgetOn(b); got == 5 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if got != 5 {
		t.Errorf("node b's budget after node a set 5 = %d: the feed did not reach b's cache", got)
	}
}

// countingFeed is a remote feed that counts its subscriptions.
type countingFeed struct {
	memory.Feed
	mu   sync.Mutex
	subs int
}

func (f *countingFeed) Subscribe(ctx context.Context) (<-chan admit.Change, error) {
	f.mu.Lock()
	f.subs++
	f.mu.Unlock()
	return f.Feed.Subscribe(ctx)
}

// TestChangesFanOut checks that many subscribers of a service share one
// subscription to its remote feed, and that each gets every change.
func TestChangesFanOut(t *testing.T) {
	remote := &countingFeed{}
	svc := &app.Service{Feed: remote}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var chans []<-chan admit.Change
	for range 10 {
		ch, err := svc.Changes().Subscribe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	if remote.subs != 1 {
		t.Errorf("10 subscribers made %d remote subscriptions, want 1", remote.subs)
	}
	want := admit.Change{Kind: admit.ChangeRoster, MeetingPK: 3}
	if err := svc.Changes().Publish(ctx, want); err != nil {
		t.Fatal(err)
	}
	for i, ch := range chans {
		if got := <-ch; got != want {
			t.Errorf("subscriber %d got %+v, want %+v", i, got, want)
		}
	}
}

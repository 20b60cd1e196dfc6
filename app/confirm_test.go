package app_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/memory"
)

// laggingStore is a store whose change log stops moving after frozen is
// set: as a node sees it while the notification of another node's change
// is still on the way.
type laggingStore struct {
	admit.Store
	frozen atomic.Bool
}

func (s *laggingStore) MeetingChanges(ctx context.Context, afterSeq int64) (int64, []int64, bool, error) {
	if s.frozen.Load() {
		return afterSeq, nil, false, nil
	}
	return s.Store.MeetingChanges(ctx, afterSeq)
}

// TestConfirmJoins changes a meeting through node A while node B has not
// heard of it yet: without ConfirmJoins B admits the replaced access code
// and passcode from its cache; with it B refuses them at once.
func TestConfirmJoins(t *testing.T) {
	for _, confirm := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "admit.db")
		a := serviceOn(t, path, rand.Reader)
		b := serviceOn(t, path, rand.Reader)
		lag := &laggingStore{Store: b.Store}
		b.Store, b.ConfirmJoins = lag, confirm
		b.Limiter = memory.NewLimiter(admit.SourcePolicy{MaxFailures: 1000, Window: time.Hour, FreeFailures: 1000, BaseDelay: time.Second, MaxDelay: time.Second})
		ctx := context.Background()
		acct, _, err := a.EnsureDefaultAccount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		u, err := a.CreateUser(ctx, acct.ID, "host@example.com", "Host", admit.RoleOwner)
		if err != nil {
			t.Fatal(err)
		}
		host := &admit.Actor{User: u, Source: "test"}
		m, err := a.CreateMeeting(ctx, host, &admit.MeetingInput{Kind: ptr(admit.KindScheduled), Start: ptr(t0), DurationMinutes: ptr(60)})
		if err != nil {
			t.Fatal(err)
		}
		byCode := &admit.JoinRequest{AccessCode: m.Occurrences[0].AccessCode, Passcode: m.Passcode, Source: "192.0.2.1"}
		byID := &admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.Passcode, Source: "192.0.2.1"}
		for _, req := range []*admit.JoinRequest{byCode, byID} {
			r := *req
			if _, err := b.Join(ctx, &r); err != nil {
				t.Fatalf("join at B before the change: %v", err)
			}
		}
		lag.frozen.Store(true)
		if _, err := a.Regenerate(ctx, host, m.ID, "access_code", 1, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Regenerate(ctx, host, m.ID, "passcode", 0, ""); err != nil {
			t.Fatal(err)
		}
		for name, req := range map[string]*admit.JoinRequest{"replaced access code": byCode, "replaced passcode": byID} {
			r := *req
			_, err := b.Join(ctx, &r)
			switch {
			case confirm && admit.ErrorCode(err) != admit.EREFUSED:
				t.Errorf("ConfirmJoins: %s at B before its notification: %v, want refused", name, err)
			case !confirm && err != nil:
				t.Errorf("without ConfirmJoins: %s at B before its notification: %v; want it admitted from the stale cache (else this test shows nothing)", name, err)
			}
		}
	}
}

package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// testAuditAppend checks that appends give entries increasing IDs and no
// place in the audit log's tree yet (Seq 0, no hashes: the integrator
// places them), that join attempts are audited, and that FindEvents lists
// unplaced entries too, newest first when asked, with its filters.
func testAuditAppend(t *testing.T, f *fixture) {
	e1 := &admit.Event{At: T0, AccountID: f.account.ID, Actor: "user:1", Action: "meeting.create", Target: "meeting:m1", Outcome: "ok"}
	e2 := &admit.Event{At: T0.Add(time.Minute), AccountID: f.account.ID, Actor: "user:2", Action: "code.view", Target: "meeting:m2", Outcome: "ok"}
	must(t, f.s.AppendEvents(f.ctx, e1, e2))
	must(t, f.s.RecordAttempt(f.ctx, &admit.Attempt{At: T0, Channel: admit.ChannelAPI, Source: "10.0.0.1",
		Method: "meeting_id", Outcome: admit.OutcomeRefused, Reason: admit.ReasonUnknownMeeting}))
	if e1.ID == 0 || e2.ID <= e1.ID || e1.Seq != 0 || e2.Seq != 0 || e1.Hash != nil || e2.PrevHash != nil {
		t.Fatalf("AppendEvents: ids %d, %d, seq %d, %d; want increasing ids and no place yet", e1.ID, e2.ID, e1.Seq, e2.Seq)
	}
	var got []*admit.Event
	_, err := f.s.ScanEvents(f.ctx, 0, func(e *admit.Event) error { got = append(got, e); return nil })
	must(t, err)
	if len(got) != 3 || got[2].Action != "join.refused" || got[2].Actor != "anonymous" || got[2].Detail != admit.ReasonUnknownMeeting {
		t.Fatalf("ScanEvents = %d events (last %+v); want 3, the last the refused join", len(got), got[len(got)-1])
	}
	for _, c := range []struct {
		name string
		f    admit.EventFilter
		want []int64
	}{
		{"newest first", admit.EventFilter{AccountID: f.account.ID, NewestFirst: true}, []int64{e2.ID, e1.ID}},
		{"actor", admit.EventFilter{Actor: "user:2"}, []int64{e2.ID}},
		{"action prefix", admit.EventFilter{Action: "meeting."}, []int64{e1.ID}},
		{"target", admit.EventFilter{Target: "meeting:m2"}, []int64{e2.ID}},
		{"since", admit.EventFilter{AccountID: f.account.ID, Since: T0.Add(time.Second)}, []int64{e2.ID}},
		{"until", admit.EventFilter{AccountID: f.account.ID, Until: T0.Add(time.Second)}, []int64{e1.ID}},
		{"before id", admit.EventFilter{AccountID: f.account.ID, BeforeID: e2.ID, NewestFirst: true}, []int64{e1.ID}},
		{"limit", admit.EventFilter{NewestFirst: true, Limit: 1}, []int64{got[2].ID}},
	} {
		es, err := f.s.FindEvents(f.ctx, c.f)
		must(t, err)
		var ids []int64
		for _, e := range es {
			ids = append(ids, e.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(c.want) {
			t.Errorf("FindEvents %s = %v, want %v", c.name, ids, c.want)
		}
	}
}

// testAuditConcurrent appends from many goroutines at once and checks that
// every entry is stored once, with its own id.
func testAuditConcurrent(t *testing.T, f *fixture) {
	const goroutines, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e := &admit.Event{At: T0, Actor: "cli", Action: "test", Outcome: "ok", Detail: fmt.Sprint(g, "/", i)}
				if err := f.s.AppendEvents(f.ctx, e); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	ids := map[int64]bool{}
	_, err := f.s.ScanEvents(f.ctx, 0, func(e *admit.Event) error {
		if seen[e.Detail] || ids[e.ID] {
			return fmt.Errorf("entry %d (%s) twice", e.ID, e.Detail)
		}
		seen[e.Detail], ids[e.ID] = true, true
		return nil
	})
	must(t, err)
	if len(seen) != goroutines*each {
		t.Errorf("%d entries stored, want %d", len(seen), goroutines*each)
	}
}

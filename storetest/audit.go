package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/admit-project/admit"
)

// testAuditChain checks that appends set Seq, PrevHash and Hash as links
// of one chain, that the head follows, and that join attempts are audited.
func testAuditChain(t *testing.T, f *fixture) {
	e1 := &admit.Event{At: T0, AccountID: f.account.ID, Actor: "user:1", Action: "meeting.create", Outcome: "ok"}
	e2 := &admit.Event{At: T0, AccountID: f.account.ID, Actor: "user:1", Action: "code.view", Outcome: "ok"}
	must(t, f.s.AppendEvents(f.ctx, e1, e2))
	must(t, f.s.RecordAttempt(f.ctx, &admit.Attempt{At: T0, Channel: admit.ChannelAPI, Source: "10.0.0.1",
		Method: "meeting_id", Outcome: admit.OutcomeRefused, Reason: admit.ReasonUnknownMeeting}))
	if e1.Seq != 1 || e2.Seq != 2 || len(e1.PrevHash) != 0 || !bytes.Equal(e2.PrevHash, e1.Hash) || len(e2.Hash) == 0 {
		t.Fatalf("AppendEvents: seq %d, %d, links %x → %x; want 1, 2 linked", e1.Seq, e2.Seq, e2.PrevHash, e1.Hash)
	}
	var got []*admit.Event
	head, err := f.s.ScanEvents(f.ctx, 0, func(e *admit.Event) error { got = append(got, e); return nil })
	must(t, err)
	if len(got) != 3 || got[2].Action != "join.refused" || got[2].Actor != "anonymous" || got[2].Detail != admit.ReasonUnknownMeeting {
		t.Fatalf("ScanEvents = %d events (last %+v); want 3, the last the refused join", len(got), got[len(got)-1])
	}
	if head.Seq != 3 || !bytes.Equal(head.Hash, got[2].Hash) || !bytes.Equal(got[2].PrevHash, e2.Hash) {
		t.Errorf("ScanEvents head = %d %x; want 3 %x", head.Seq, head.Hash, got[2].Hash)
	}
	if h, err := f.s.AuditHead(f.ctx); err != nil || h.Seq != 3 || !bytes.Equal(h.Hash, head.Hash) {
		t.Errorf("AuditHead = %d, %v; want 3", h.Seq, err)
	}
	later, err := f.s.FindEvents(f.ctx, admit.EventFilter{AfterSeq: 1})
	must(t, err)
	if len(later) != 2 || later[0].Seq != 2 {
		t.Errorf("FindEvents after seq 1 = %d events; want 2 from seq 2", len(later))
	}
}

// testAuditConcurrent appends from many goroutines at once and checks
// that the entries form one unbroken chain.
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
	var prev []byte
	var n int64
	head, err := f.s.ScanEvents(f.ctx, 0, func(e *admit.Event) error {
		n++
		if e.Seq != n || !bytes.Equal(e.PrevHash, prev) {
			return fmt.Errorf("entry %d: seq %d, prev %x; want seq %d linked to %x", n, e.Seq, e.PrevHash, n, prev)
		}
		prev = e.Hash
		return nil
	})
	must(t, err)
	if n != goroutines*each || head.Seq != n || !bytes.Equal(head.Hash, prev) {
		t.Errorf("chain of %d entries, head %d; want %d", n, head.Seq, goroutines*each)
	}
}

package app

import (
	"context"
	"sync"
	"time"

	"github.com/admit-project/admit"
)

// MaxPendingRefusals bounds the refused attempts a node has answered but
// not yet recorded (Service.RefusalsBehind): the next refusal waits for
// room, so that a crash loses at most this many records per node.
const MaxPendingRefusals = 1000

// refusalRetries is how often a pending record is tried again (100 ms
// apart) when its write fails; after that its failure stays charged in
// memory (see pendingRefusals).
const refusalRetries = 3

// pendingRefusals are the refused attempts answered before their record
// is durable, and the guess-budget failures they charge in memory until
// it is. A record that cannot be written keeps its failure charged for the
// life of the process, so that its meeting's budget never counts less than
// was answered.
type pendingRefusals struct {
	once      sync.Once
	slots     chan struct{} // one per pending record
	mu        sync.Mutex
	byMeeting map[int64]int // meeting PK → failures charged, not yet in the store
	wg        sync.WaitGroup
}

func (s *Service) refusals() *pendingRefusals {
	r := &s.pending
	r.once.Do(func() {
		r.slots = make(chan struct{}, MaxPendingRefusals)
		r.byMeeting = map[int64]int{}
	})
	return r
}

// recordRefusal records a refused (or invalid) attempt: at once and durably
// before it returns, or, with RefusalsBehind, behind the answer. Behind,
// the failure is charged to the meeting's guess budget in memory before
// recordRefusal returns (and the source's limiter is charged by Join
// before the answer), so that a burst of refusals cannot overtake the
// budget; the record reaches the store through its group commit, and the
// charge is lifted once it has. m may be nil (an unknown meeting);
// spent is called when the record spent the meeting's budget.
func (s *Service) recordRefusal(ctx context.Context, at *admit.Attempt, m *admit.Meeting) error {
	if !s.RefusalsBehind {
		if err := s.Store.RecordAttempt(ctx, at); err != nil {
			return err
		}
		if at.BudgetSpent && m != nil {
			s.budgetSpent(ctx, m, at)
		}
		return nil
	}
	r := s.refusals()
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	rec := *at // the caller keeps at; the writer owns rec
	charged := rec.MeetingPK != 0 && rec.GuessBudget > 0
	r.mu.Lock()
	if charged {
		r.byMeeting[rec.MeetingPK]++
	}
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() { <-r.slots }()
		ctx := context.WithoutCancel(ctx)
		var err error
		for try := 0; try <= refusalRetries; try++ {
			if try > 0 {
				time.Sleep(100 * time.Millisecond)
			}
			if err = s.Store.RecordAttempt(ctx, &rec); err == nil {
				break
			}
		}
		if err != nil {
			s.logger().ErrorContext(ctx, "refused attempt not recorded; its guess stays charged in memory", "meeting_pk", rec.MeetingPK, "err", err)
			return
		}
		if charged {
			r.mu.Lock()
			if r.byMeeting[rec.MeetingPK]--; r.byMeeting[rec.MeetingPK] <= 0 {
				delete(r.byMeeting, rec.MeetingPK)
			}
			r.mu.Unlock()
		}
		if rec.BudgetSpent && m != nil {
			s.budgetSpent(ctx, m, &rec)
		}
	}()
	return nil
}

// pendingFailures returns the failed guesses at the meeting answered by
// this node and not yet in the store.
func (s *Service) pendingFailures(meetingPK int64) int {
	if !s.RefusalsBehind {
		return 0
	}
	r := s.refusals()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byMeeting[meetingPK]
}

// chargePending lowers an admission's guess budget by the failures this
// node has answered and not yet recorded, or holds the admission when they
// spend it, so that the store's check (failures ≥ budget) counts them.
func (s *Service) chargePending(adm *admit.Admission, meetingPK int64) {
	if adm.GuessBudget <= 0 {
		return
	}
	p := s.pendingFailures(meetingPK)
	switch {
	case p <= 0:
	case p >= adm.GuessBudget:
		adm.HoldForBudget()
	default:
		adm.GuessBudget -= p
	}
}

// RefusalBacklog returns how many refused attempts wait for their record.
func (s *Service) RefusalBacklog() int {
	if !s.RefusalsBehind {
		return 0
	}
	return len(s.refusals().slots)
}

// FlushRefusals waits until every refused attempt answered so far is
// recorded (or given up), or ctx ends. `admit serve` calls it after the
// HTTP server has stopped and before the store closes.
func (s *Service) FlushRefusals(ctx context.Context) error {
	if !s.RefusalsBehind {
		return nil
	}
	done := make(chan struct{})
	go func() { s.refusals().wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

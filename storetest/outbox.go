package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// RunOutbox is the conformance suite of admit.OutboxStore. open must return
// a new, empty outbox.
func RunOutbox(t *testing.T, open func(tb testing.TB) admit.OutboxStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, o admit.OutboxStore)
	}{
		{"EnqueueAndClaim", testOutboxEnqueueAndClaim},
		{"Failed", testOutboxFailed},
		{"Lease", testOutboxLease},
		{"ReminderOnce", testOutboxReminderOnce},
		{"Resend", testOutboxResend},
		{"Find", testOutboxFind},
		{"Invalid", testOutboxInvalid},
		{"SameMessageOnce", testOutboxSameMessageOnce},
		{"Concurrent/Claim", testOutboxConcurrentClaim},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

var outboxNow = time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)

func outboxMsg(i int) *admit.OutboxMessage {
	return &admit.OutboxMessage{MessageID: fmt.Sprintf("m%d@admit.example", i), AccountID: 1, MeetingID: "mA",
		InviteeID: fmt.Sprintf("i%d", i), Kind: admit.OutboxInvitation, To: fmt.Sprintf("p%d@example.com", i),
		Payload: []byte{1, 2, byte(i)}}
}

func mustEnqueue(t *testing.T, o admit.OutboxStore, msgs ...*admit.OutboxMessage) {
	t.Helper()
	if err := o.EnqueueOutbox(context.Background(), outboxNow, msgs...); err != nil {
		t.Fatalf("EnqueueOutbox: %v", err)
	}
}

func mustClaim(t *testing.T, o admit.OutboxStore, node string, now time.Time, limit int) []*admit.OutboxMessage {
	t.Helper()
	got, err := o.ClaimOutbox(context.Background(), node, now, time.Minute, limit)
	if err != nil {
		t.Fatalf("ClaimOutbox: %v", err)
	}
	return got
}

func testOutboxEnqueueAndClaim(t *testing.T, o admit.OutboxStore) {
	ctx := context.Background()
	a, b := outboxMsg(1), outboxMsg(2)
	mustEnqueue(t, o, a, b)
	if a.ID == 0 || b.ID == 0 || a.ID == b.ID || !a.CreatedAt.Equal(outboxNow) {
		t.Fatalf("IDs %d %d CreatedAt %v", a.ID, b.ID, a.CreatedAt)
	}
	if got := mustClaim(t, o, "n1", outboxNow.Add(-time.Second), 10); len(got) != 0 {
		t.Fatalf("claimed %d messages before they were due", len(got))
	}
	got := mustClaim(t, o, "n1", outboxNow, 10)
	if len(got) != 2 {
		t.Fatalf("claimed %d, want 2", len(got))
	}
	m := got[0]
	if m.MessageID == "" || m.To == "" || string(m.Payload) == "" || m.State != admit.OutboxQueued || m.LeaseOwner != "n1" {
		t.Fatalf("claimed message %+v", m)
	}
	if err := o.MarkOutboxSent(ctx, m.ID, "n1", outboxNow); err != nil {
		t.Fatalf("MarkOutboxSent: %v", err)
	}
	all, err := o.FindOutbox(ctx, admit.OutboxFilter{AccountID: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range all {
		if x.ID == m.ID && (x.State != admit.OutboxSent || x.SentAt == nil || x.LeaseOwner != "") {
			t.Errorf("after MarkOutboxSent: state %s SentAt %v lease %q", x.State, x.SentAt, x.LeaseOwner)
		}
	}
	if got := mustClaim(t, o, "n1", outboxNow.Add(time.Hour), 10); len(got) != 1 || got[0].ID == m.ID {
		t.Errorf("a sent message was claimed again, or the other was lost: %d", len(got))
	}
}

func testOutboxFailed(t *testing.T, o admit.OutboxStore) {
	ctx := context.Background()
	m := outboxMsg(1)
	mustEnqueue(t, o, m)
	mustClaim(t, o, "n1", outboxNow, 1)
	next := outboxNow.Add(30 * time.Second)
	if err := o.MarkOutboxFailed(ctx, m.ID, "n1", "451 4.3.0 try later", next); err != nil {
		t.Fatal(err)
	}
	all, _ := o.FindOutbox(ctx, admit.OutboxFilter{AccountID: 1})
	if len(all) != 1 || all[0].State != admit.OutboxFailing || all[0].Attempts != 1 || all[0].LastError != "451 4.3.0 try later" || !all[0].NextAttemptAt.Equal(next) {
		t.Fatalf("after MarkOutboxFailed: %+v", all[0])
	}
	if got := mustClaim(t, o, "n1", next.Add(-time.Second), 1); len(got) != 0 {
		t.Errorf("claimed before the retry time")
	}
	if got := mustClaim(t, o, "n1", next, 1); len(got) != 1 || got[0].Attempts != 1 {
		t.Errorf("not claimed at the retry time")
	}
	if err := o.MarkOutboxFailed(ctx, m.ID, "n1", "550 no", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := mustClaim(t, o, "n1", next.Add(24*time.Hour), 1); len(got) != 0 {
		t.Errorf("a message given up on was claimed")
	}
}

func testOutboxLease(t *testing.T, o admit.OutboxStore) {
	ctx := context.Background()
	m := outboxMsg(1)
	mustEnqueue(t, o, m)
	mustClaim(t, o, "n1", outboxNow, 1)
	if got := mustClaim(t, o, "n2", outboxNow.Add(59*time.Second), 1); len(got) != 0 {
		t.Fatalf("claimed by two nodes within the lease")
	}
	if got := mustClaim(t, o, "n2", outboxNow.Add(time.Minute), 1); len(got) != 1 {
		t.Fatalf("not taken over after the lease")
	}
	if err := o.MarkOutboxSent(ctx, m.ID, "n1", outboxNow); admit.ErrorCode(err) != admit.ECONFLICT {
		t.Errorf("the old holder's MarkOutboxSent: %v, want ECONFLICT", err)
	}
	if err := o.MarkOutboxFailed(ctx, m.ID, "n1", "x", outboxNow); admit.ErrorCode(err) != admit.ECONFLICT {
		t.Errorf("the old holder's MarkOutboxFailed: %v, want ECONFLICT", err)
	}
	if err := o.MarkOutboxSent(ctx, m.ID, "n2", outboxNow); err != nil {
		t.Errorf("the holder's MarkOutboxSent: %v", err)
	}
}

func testOutboxReminderOnce(t *testing.T, o admit.OutboxStore) {
	r := func(id string, occ int) *admit.OutboxMessage {
		m := outboxMsg(1)
		m.MessageID, m.Kind, m.Occurrence = id, admit.OutboxReminder, occ
		return m
	}
	mustEnqueue(t, o, r("r1@x", 2))
	mustEnqueue(t, o, r("r2@x", 2)) // another node scheduling the same reminder
	mustEnqueue(t, o, r("r3@x", 3))
	all, _ := o.FindOutbox(context.Background(), admit.OutboxFilter{AccountID: 1})
	if len(all) != 2 {
		t.Errorf("%d reminders, want one per occurrence (2)", len(all))
	}
}

func testOutboxResend(t *testing.T, o admit.OutboxStore) {
	ctx := context.Background()
	m := outboxMsg(1)
	mustEnqueue(t, o, m)
	mustClaim(t, o, "n1", outboxNow, 1)
	if err := o.MarkOutboxSent(ctx, m.ID, "n1", outboxNow); err != nil {
		t.Fatal(err)
	}
	if err := o.ResendOutbox(ctx, 2, m.ID, outboxNow); admit.ErrorCode(err) != admit.ENOTFOUND {
		t.Errorf("resend from another account: %v, want ENOTFOUND", err)
	}
	later := outboxNow.Add(time.Hour)
	if err := o.ResendOutbox(ctx, 1, m.ID, later); err != nil {
		t.Fatal(err)
	}
	got := mustClaim(t, o, "n1", later, 1)
	if len(got) != 1 || got[0].MessageID != m.MessageID || string(got[0].Payload) != string(m.Payload) || got[0].State != admit.OutboxQueued {
		t.Fatalf("after a resend: %+v", got)
	}
}

func testOutboxFind(t *testing.T, o admit.OutboxStore) {
	a, b, c := outboxMsg(1), outboxMsg(2), outboxMsg(3)
	c.AccountID, b.MeetingID = 2, "mB"
	mustEnqueue(t, o, a, b, c)
	ctx := context.Background()
	got, _ := o.FindOutbox(ctx, admit.OutboxFilter{AccountID: 1})
	if len(got) != 2 || got[0].ID != b.ID {
		t.Errorf("account 1: %d messages, want 2 newest first", len(got))
	}
	got, _ = o.FindOutbox(ctx, admit.OutboxFilter{AccountID: 1, MeetingID: "mA"})
	if len(got) != 1 || got[0].ID != a.ID {
		t.Errorf("meeting mA: %v", got)
	}
	got, _ = o.FindOutbox(ctx, admit.OutboxFilter{AccountID: 1, InviteeID: "i2"})
	if len(got) != 1 || got[0].ID != b.ID {
		t.Errorf("invitee i2: %v", got)
	}
}

func testOutboxInvalid(t *testing.T, o admit.OutboxStore) {
	m := outboxMsg(1)
	m.MessageID = ""
	if err := o.EnqueueOutbox(context.Background(), outboxNow, outboxMsg(2), m); admit.ErrorCode(err) != admit.EINVALID {
		t.Errorf("a message without Message-ID: %v, want EINVALID", err)
	}
	if got, _ := o.FindOutbox(context.Background(), admit.OutboxFilter{AccountID: 1}); len(got) != 0 {
		t.Errorf("a refused enqueue left %d messages", len(got))
	}
}

func testOutboxConcurrentClaim(t *testing.T, o admit.OutboxStore) {
	var msgs []*admit.OutboxMessage
	for i := 0; i < 40; i++ {
		msgs = append(msgs, outboxMsg(i))
	}
	mustEnqueue(t, o, msgs...)
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	for n := 0; n < 4; n++ {
		node := fmt.Sprintf("n%d", n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := o.ClaimOutbox(context.Background(), node, outboxNow, time.Minute, 3)
				if err != nil {
					t.Errorf("ClaimOutbox: %v", err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					if other, ok := seen[m.ID]; ok {
						t.Errorf("message %d claimed by %s and %s", m.ID, other, node)
					}
					seen[m.ID] = node
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Errorf("%d messages claimed, want 40", len(seen))
	}
}

// MailStore is a store with an outbox written with its meeting changes.
type MailStore interface {
	admit.Store
	admit.OutboxStore
	admit.OutboxSaver
	admit.ReminderStore
}

// RunOutboxSaver checks that a meeting change and its messages are written
// together or not at all. open must return a new, empty store.
func RunOutboxSaver(t *testing.T, open func(tb testing.TB) MailStore) {
	var ms MailStore
	f := newFixture(t, func(tb testing.TB) admit.Store { ms = open(tb); return ms })
	ctx := f.ctx
	msg := func(id string) *admit.OutboxMessage {
		return &admit.OutboxMessage{MessageID: id, AccountID: f.account.ID, MeetingID: "mX", Kind: admit.OutboxInvitation,
			To: "a@example.com", Payload: []byte("sealed")}
	}
	count := func() int {
		got, err := ms.FindOutbox(ctx, admit.OutboxFilter{AccountID: f.account.ID})
		must(t, err)
		return len(got)
	}
	a := f.meeting("81234567801", occ(1, T0, "code-o1"))
	m1 := msg("o1@x")
	must(t, ms.SaveMeetingWithOutbox(ctx, a, T0, []*admit.OutboxMessage{m1}))
	if a.PK == 0 || m1.ID == 0 || count() != 1 {
		t.Fatalf("after SaveMeetingWithOutbox: meeting PK %d, message ID %d, %d messages", a.PK, m1.ID, count())
	}
	// A save that fails writes no message.
	b := f.meeting("81234567801", occ(1, T0.Add(100*day), "code-o2"))
	m2 := msg("o2@x")
	wantCode(t, ms.SaveMeetingWithOutbox(ctx, b, T0, []*admit.OutboxMessage{m2}), admit.ECONFLICT, "meeting_id")
	if b.PK != 0 || m2.ID != 0 || count() != 1 {
		t.Errorf("a failed save left meeting PK %d, message ID %d, %d messages", b.PK, m2.ID, count())
	}
	// A message already enqueued (the same Message-ID) is not enqueued again.
	c := f.meeting("81234567802", occ(1, T0.Add(200*day), "code-o3"))
	again := msg("o1@x")
	must(t, ms.SaveMeetingWithOutbox(ctx, c, T0, []*admit.OutboxMessage{again}))
	if again.ID != 0 || count() != 1 {
		t.Errorf("a message enqueued twice: ID %d, %d messages", again.ID, count())
	}
	must(t, ms.DeleteMeetingWithOutbox(ctx, a.PK, T0, []*admit.OutboxMessage{msg("o3@x")}))
	if count() != 2 {
		t.Errorf("%d messages after DeleteMeetingWithOutbox, want 2", count())
	}
	wantCode(t, ms.DeleteMeetingWithOutbox(ctx, a.PK, T0, []*admit.OutboxMessage{msg("o4@x")}), admit.ENOTFOUND, "")
	if count() != 2 {
		t.Errorf("a failed delete wrote a message")
	}

	// Starting occurrences: c's (saved above) in range; a's deleted.
	series := f.meeting("81234567803", occ(1, T0.Add(300*day), "code-o5"), occ(2, T0.Add(301*day), "code-o6"), occ(3, T0.Add(302*day), "code-o7"))
	f.save(t, series)
	refs, err := ms.FindStartingOccurrences(ctx, T0.Add(200*day), 101*day+time.Minute, 0)
	must(t, err)
	var got []string
	for _, r := range refs {
		if r.AccountID != f.account.ID {
			t.Errorf("ref %+v has another account", r)
		}
		got = append(got, fmt.Sprintf("%s/%d", r.MeetingID, r.Index))
	}
	want := []string{c.ID + "/1", series.ID + "/1", series.ID + "/2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("starting occurrences %v, want %v", got, want)
	}
	if refs, _ := ms.FindStartingOccurrences(ctx, T0.Add(-day), 2*day, 0); len(refs) != 0 {
		t.Errorf("a deleted meeting's occurrence is listed: %v", refs)
	}
}

func testOutboxSameMessageOnce(t *testing.T, o admit.OutboxStore) {
	a := outboxMsg(1)
	mustEnqueue(t, o, a)
	b := outboxMsg(1) // the same Message-ID
	mustEnqueue(t, o, b)
	if b.ID != 0 {
		t.Errorf("a message enqueued twice got ID %d", b.ID)
	}
	if got, _ := o.FindOutbox(context.Background(), admit.OutboxFilter{AccountID: 1}); len(got) != 1 {
		t.Errorf("%d messages, want 1", len(got))
	}
}

package mail_test

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/mail"
	"github.com/admit-project/admit/mail/mailtest"
)

// rig is an outbox, a clock and a loop delivering to a real Mailpit.
type rig struct {
	pit    *mailtest.Mailpit
	outbox *mail.MemoryOutbox
	clock  *fixedClock
	ring   mail.Sealer
	loop   *mail.Loop
}

func newRig(t *testing.T) *rig {
	t.Helper()
	pit := mailtest.Start(t)
	r := &rig{pit: pit, outbox: &mail.MemoryOutbox{}, clock: newFixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)), ring: mustRing(t)}
	set := &admit.SMTPSettings{Host: pit.SMTPHost, Port: pit.SMTPPort, Security: admit.SMTPNone,
		From: "meetings@admit.example", FromName: "admit", ReplyToHost: true}
	if err := set.Validate(); err != nil {
		t.Fatal(err)
	}
	r.loop = &mail.Loop{Store: r.outbox, Deliverer: &mail.SMTPSender{Settings: *set, Timeout: 5 * time.Second},
		Sealer: r.ring, Settings: set, Clock: r.clock, Node: "node-a"}
	return r
}

func (r *rig) enqueue(t *testing.T, letters ...*admit.Letter) []*admit.OutboxMessage {
	t.Helper()
	var msgs []*admit.OutboxMessage
	for i, l := range letters {
		m, err := mail.NewOutboxMessage(rand.Reader, r.ring, "admit.example", l, "mABC", "i"+string(rune('1'+i)))
		if err != nil {
			t.Fatal(err)
		}
		m.AccountID = 1
		msgs = append(msgs, m)
	}
	if err := r.outbox.EnqueueOutbox(context.Background(), r.clock.Now(), msgs...); err != nil {
		t.Fatal(err)
	}
	return msgs
}

func (r *rig) runOnce(t *testing.T) (sent, failed int) {
	t.Helper()
	sent, failed, err := r.loop.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return sent, failed
}

func (r *rig) state(t *testing.T, id int64) *admit.OutboxMessage {
	t.Helper()
	all, err := r.outbox.FindOutbox(context.Background(), admit.OutboxFilter{AccountID: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no outbox message %d", id)
	return nil
}

func TestThreeInviteesGetTheirOwnCredentials(t *testing.T) {
	r := newRig(t)
	letters := []*admit.Letter{letterFor(1), letterFor(2), letterFor(3)}
	msgs := r.enqueue(t, letters...)
	if sent, failed := r.runOnce(t); sent != 3 || failed != 0 {
		t.Fatalf("sent %d failed %d, want 3 and 0", sent, failed)
	}
	arrived := r.pit.WaitMessages(t, 3)
	if len(arrived) != 3 {
		t.Fatalf("%d messages arrived, want 3", len(arrived))
	}
	for i, l := range letters {
		var found *mailtest.Summary
		for j := range arrived {
			if len(arrived[j].To) == 1 && arrived[j].To[0].Address == l.Invitee.Email {
				found = &arrived[j]
			}
		}
		if found == nil {
			t.Fatalf("no message to %s", l.Invitee.Email)
		}
		if found.MessageID != msgs[i].MessageID {
			t.Errorf("%s: Message-ID %q, want the outbox's %q", l.Invitee.Email, found.MessageID, msgs[i].MessageID)
		}
		raw := r.pit.Raw(t, found.ID)
		p := parseMessage(t, raw)
		var all strings.Builder
		for _, pt := range p.Parts {
			all.Write(pt.Body)
		}
		body := all.String()
		for _, s := range secretsOf(l)[:5] {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the message lacks its own %q", l.Invitee.Email, s)
			}
		}
		for k, other := range letters {
			if k == i {
				continue
			}
			for _, s := range secretsOf(other) {
				if strings.Contains(body, s) || strings.Contains(string(raw), s) {
					t.Errorf("%s: the message holds %q, which is %s's", l.Invitee.Email, s, other.Invitee.Email)
				}
			}
		}
		ev := parseICS(t, p.part(t, "application/ics").Body).Events()[0]
		if a := ev.Props.Values("ATTENDEE"); len(a) != 1 || a[0].Value != "mailto:"+l.Invitee.Email {
			t.Errorf("%s: attendees %v", l.Invitee.Email, a)
		}
		if st := r.state(t, msgs[i].ID); st.State != admit.OutboxSent || st.SentAt == nil {
			t.Errorf("%s: state %s, want sent", l.Invitee.Email, st.State)
		}
	}
}

func TestServerRefusesThenAccepts(t *testing.T) {
	r := newRig(t)
	r.pit.Refuse(t, 451)
	m := r.enqueue(t, letterFor(1))[0]
	if sent, failed := r.runOnce(t); sent != 0 || failed != 1 {
		t.Fatalf("sent %d failed %d, want 0 and 1", sent, failed)
	}
	st := r.state(t, m.ID)
	if st.State != admit.OutboxFailing || st.Attempts != 1 || !strings.Contains(st.LastError, "451") {
		t.Fatalf("after a 451: state %s attempts %d answer %q, want failing, 1, the server's 451", st.State, st.Attempts, st.LastError)
	}
	if want := r.clock.Now().Add(admit.OutboxFirstRetry); !st.NextAttemptAt.Equal(want) {
		t.Errorf("next attempt %v, want %v", st.NextAttemptAt, want)
	}
	// Not due yet: nothing is attempted, even though the server accepts now.
	r.pit.Accept(t)
	if sent, failed := r.runOnce(t); sent+failed != 0 {
		t.Fatalf("attempted before the backoff ended")
	}
	r.clock.Advance(admit.OutboxFirstRetry)
	if sent, _ := r.runOnce(t); sent != 1 {
		t.Fatalf("not delivered after the server came back")
	}
	if st := r.state(t, m.ID); st.State != admit.OutboxSent {
		t.Errorf("state %s, want sent", st.State)
	}
	if got := r.pit.WaitMessages(t, 1); got[0].MessageID != m.MessageID {
		t.Errorf("Message-ID %q, want %q", got[0].MessageID, m.MessageID)
	}
}

func TestServerDownThenDelivered(t *testing.T) {
	r := newRig(t)
	r.pit.Stop()
	m := r.enqueue(t, letterFor(1))[0]
	var delays []time.Duration
	for i := 0; i < 3; i++ {
		if _, failed := r.runOnce(t); failed != 1 {
			t.Fatalf("attempt %d with the server down did not fail", i+1)
		}
		st := r.state(t, m.ID)
		if st.State != admit.OutboxFailing || !strings.Contains(st.LastError, "connect") {
			t.Fatalf("state %s answer %q, want failing with the connection error", st.State, st.LastError)
		}
		delays = append(delays, st.NextAttemptAt.Sub(r.clock.Now()))
		r.clock.Set(st.NextAttemptAt)
	}
	if delays[1] != 2*delays[0] || delays[2] != 2*delays[1] {
		t.Errorf("backoff %v, want each wait twice the last", delays)
	}
	r.pit.Restart()
	if sent, _ := r.runOnce(t); sent != 1 {
		t.Fatalf("not delivered after the server came back")
	}
	got := r.pit.WaitMessages(t, 1)
	if len(got) != 1 || got[0].MessageID != m.MessageID {
		t.Errorf("arrived %v, want one message with Message-ID %s", got, m.MessageID)
	}
}

func TestPermanentRefusalStopsRetrying(t *testing.T) {
	r := newRig(t)
	r.pit.Refuse(t, 550)
	m := r.enqueue(t, letterFor(1))[0]
	r.runOnce(t)
	st := r.state(t, m.ID)
	if st.State != admit.OutboxFailing || !strings.Contains(st.LastError, "550") || !st.NextAttemptAt.IsZero() {
		t.Fatalf("state %s answer %q next %v, want failing, 550, no next attempt", st.State, st.LastError, st.NextAttemptAt)
	}
	// The host resends once the address is fixed on the server's side.
	r.pit.Accept(t)
	if err := r.outbox.ResendOutbox(context.Background(), 1, m.ID, r.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if sent, _ := r.runOnce(t); sent != 1 {
		t.Fatalf("the resend was not delivered")
	}
}

func TestResendKeepsMessageID(t *testing.T) {
	r := newRig(t)
	m := r.enqueue(t, letterFor(2))[0]
	r.runOnce(t)
	if err := r.outbox.ResendOutbox(context.Background(), 1, m.ID, r.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := r.outbox.ResendOutbox(context.Background(), 2, m.ID, r.clock.Now()); admit.ErrorCode(err) != admit.ENOTFOUND {
		t.Errorf("another account resent the message: %v", err)
	}
	if sent, _ := r.runOnce(t); sent != 1 {
		t.Fatalf("the resend was not delivered")
	}
	got := r.pit.WaitMessages(t, 2)
	if got[0].MessageID != m.MessageID || got[1].MessageID != m.MessageID {
		t.Errorf("Message-IDs %q and %q, want both %q", got[0].MessageID, got[1].MessageID, m.MessageID)
	}
}

// TestNodesSendEachMessageOnce runs two loops (two nodes) on one outbox at
// once: every message arrives exactly once.
func TestNodesSendEachMessageOnce(t *testing.T) {
	r := newRig(t)
	var letters []*admit.Letter
	for i := 1; i <= 8; i++ {
		letters = append(letters, letterFor(i))
	}
	r.enqueue(t, letters...)
	b := *r.loop
	b.Node = "node-b"
	r.loop.Batch, b.Batch = 2, 2
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for _, l := range []*mail.Loop{r.loop, &b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				sent, failed, err := l.RunOnce(context.Background())
				if err != nil || failed > 0 {
					t.Errorf("%s: failed %d, %v", l.Node, failed, err)
					return
				}
				if sent == 0 {
					return
				}
				mu.Lock()
				total += sent
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if total != 8 {
		t.Errorf("the nodes sent %d messages, want 8", total)
	}
	got := r.pit.WaitMessages(t, 8)
	seen := map[string]int{}
	for _, m := range got {
		seen[m.MessageID]++
	}
	if len(got) != 8 || len(seen) != 8 {
		t.Errorf("%d messages arrived with %d distinct Message-IDs, want 8 and 8", len(got), len(seen))
	}
}

// TestExpiredLeaseIsTakenOver: a node that claimed a message and died is
// replaced after its lease; its late report is refused.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	r := newRig(t)
	m := r.enqueue(t, letterFor(1))[0]
	ctx := context.Background()
	claimed, err := r.outbox.ClaimOutbox(ctx, "dead-node", r.clock.Now(), time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %d", err, len(claimed))
	}
	if sent, _ := r.runOnce(t); sent != 0 {
		t.Fatalf("a leased message was sent by another node")
	}
	r.clock.Advance(time.Minute)
	if sent, _ := r.runOnce(t); sent != 1 {
		t.Fatalf("the message was not taken over after the lease")
	}
	if err := r.outbox.MarkOutboxSent(ctx, m.ID, "dead-node", r.clock.Now()); admit.ErrorCode(err) != admit.ECONFLICT {
		t.Errorf("the dead node's late report: %v, want ECONFLICT", err)
	}
}

// TestSecurityModes delivers over STARTTLS with authentication and over
// implicit TLS, and is refused with a wrong password (the server's answer
// kept) or when the server cannot do STARTTLS.
func TestSecurityModes(t *testing.T) {
	cases := []struct {
		name     string
		opts     mailtest.Options
		security admit.SMTPSecurity
		password string
		wantSent bool
		answer   string
	}{
		{"starttls with auth", mailtest.Options{STARTTLS: true, Auth: true}, admit.SMTPStartTLS, mailtest.Password, true, ""},
		{"implicit tls with auth", mailtest.Options{ImplicitTLS: true, Auth: true}, admit.SMTPImplicitTLS, mailtest.Password, true, ""},
		{"wrong password", mailtest.Options{STARTTLS: true, Auth: true}, admit.SMTPStartTLS, "wrong", false, "535"},
		{"server without tls", mailtest.Options{}, admit.SMTPStartTLS, "", false, "STARTTLS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pit := mailtest.StartWith(t, c.opts)
			set := &admit.SMTPSettings{Host: pit.SMTPHost, Port: pit.SMTPPort, Security: c.security, From: "meetings@admit.example"}
			if c.password != "" {
				set.Username, set.Password = mailtest.Username, c.password
			}
			if err := set.Validate(); err != nil {
				t.Fatal(err)
			}
			outbox := &mail.MemoryOutbox{}
			clock := newFixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
			ring := mustRing(t)
			loop := &mail.Loop{Store: outbox, Sealer: ring, Settings: set, Clock: clock, Node: "n",
				Deliverer: &mail.SMTPSender{Settings: *set, Timeout: 5 * time.Second, TLSConfig: &tls.Config{RootCAs: pit.RootCAs, ServerName: "127.0.0.1"}}}
			m, err := mail.NewOutboxMessage(rand.Reader, ring, "admit.example", letterFor(1), "mA", "i1")
			if err != nil {
				t.Fatal(err)
			}
			m.AccountID = 1
			if err := outbox.EnqueueOutbox(context.Background(), clock.Now(), m); err != nil {
				t.Fatal(err)
			}
			sent, _, err := loop.RunOnce(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if (sent == 1) != c.wantSent {
				all, _ := outbox.FindOutbox(context.Background(), admit.OutboxFilter{AccountID: 1})
				t.Fatalf("sent %d, want sent %v; answer %q", sent, c.wantSent, all[0].LastError)
			}
			if c.wantSent {
				pit.WaitMessages(t, 1)
				return
			}
			all, _ := outbox.FindOutbox(context.Background(), admit.OutboxFilter{AccountID: 1})
			if !strings.Contains(all[0].LastError, c.answer) {
				t.Errorf("answer %q, want it to mention %q", all[0].LastError, c.answer)
			}
			if strings.Contains(all[0].LastError, c.password) && c.password != "" {
				t.Errorf("the answer holds the password")
			}
		})
	}
}

// TestRunDeliversUntilCancelled runs the loop as admit serve would.
func TestRunDeliversUntilCancelled(t *testing.T) {
	r := newRig(t)
	r.loop.Interval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.loop.Run(ctx) }()
	r.enqueue(t, letterFor(1), letterFor(2))
	r.pit.WaitMessages(t, 2)
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
}

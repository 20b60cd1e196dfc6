package mail_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/mail"
)

// recorder is a Deliverer that keeps the sender of what it delivers.
type recorder struct {
	name string
	got  *[]string
}

func (r recorder) Deliver(_ context.Context, m *gomail.Msg) error {
	from := m.GetFrom()
	addr := ""
	if len(from) > 0 {
		addr = from[0].Address
	}
	*r.got = append(*r.got, r.name+" "+addr)
	return nil
}

// accounts gives account 2 its own server and fails for account 3.
type accounts struct{}

func (accounts) AccountSMTP(_ context.Context, id int64) (*admit.SMTPSettings, error) {
	switch id {
	case 2:
		return &admit.SMTPSettings{Host: "smtp.acme.example", Port: 587, Security: admit.SMTPStartTLS, From: "m@acme.example"}, nil
	case 3:
		return nil, errors.New("the key ring cannot open the password")
	}
	return nil, nil
}

// TestLoopRoutesByAccount: a message goes through its account's own server
// when Accounts gives one, else the deployment's; an account whose settings
// cannot be read fails its message, naming why, and sends nothing.
func TestLoopRoutesByAccount(t *testing.T) {
	ring := mustRing(t)
	outbox := &mail.MemoryOutbox{}
	clock := newFixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	for account := int64(1); account <= 3; account++ {
		l := letterFor(int(account))
		m, err := mail.NewOutboxMessage(rand.Reader, ring, "admit.example", l, "mABC", "i1")
		if err != nil {
			t.Fatal(err)
		}
		m.AccountID = account
		if err := outbox.EnqueueOutbox(context.Background(), clock.Now(), m); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	var dialed []admit.SMTPSettings
	set := &admit.SMTPSettings{Host: "smtp.admit.example", Port: 587, Security: admit.SMTPStartTLS, From: "meetings@admit.example"}
	loop := &mail.Loop{Store: outbox, Sealer: ring, Clock: clock, Node: "n", Settings: set,
		Deliverer: recorder{"deployment", &got}, Accounts: accounts{},
		Dial: func(s admit.SMTPSettings) mail.Deliverer { dialed = append(dialed, s); return recorder{"own", &got} }}
	sent, failed, err := loop.RunOnce(context.Background())
	if err != nil || sent != 2 || failed != 1 {
		t.Fatalf("RunOnce = %d sent, %d failed, %v; want 2 sent, 1 failed", sent, failed, err)
	}
	want := []string{"deployment meetings@admit.example", "own m@acme.example"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("delivered %v, want %v", got, want)
	}
	if len(dialed) != 1 || dialed[0].Host != "smtp.acme.example" {
		t.Errorf("dialed %+v, want the account's server", dialed)
	}
	all, err := outbox.FindOutbox(context.Background(), admit.OutboxFilter{AccountID: 3})
	if err != nil || len(all) != 1 || all[0].State == admit.OutboxSent || !strings.Contains(all[0].LastError, "SMTP settings of account 3") {
		t.Errorf("account 3's message: %+v %v", all, err)
	}

	// Without a deployment server, an account without its own fails.
	loop.Settings, loop.Deliverer = nil, nil
	l := letterFor(9)
	m, _ := mail.NewOutboxMessage(rand.Reader, ring, "admit.example", l, "mDEF", "i9")
	m.AccountID = 1
	if err := outbox.EnqueueOutbox(context.Background(), clock.Now(), m); err != nil {
		t.Fatal(err)
	}
	if sent, failed, err := loop.RunOnce(context.Background()); err != nil || sent != 0 || failed != 1 {
		t.Errorf("RunOnce without any server = %d sent, %d failed, %v; want 1 failed", sent, failed, err)
	}
}

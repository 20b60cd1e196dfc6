package admit_test

import (
	"testing"
	"time"

	"github.com/admit-project/admit"
)

var recipientTests = []struct {
	addr string
	ok   bool
}{
	{"ada@example.com", true},
	{"a.b+tag@sub.example.org", true},
	{"", false},
	{"ada", false},
	{"ada@localhost", false},
	{"Ada <ada@example.com>", false},
	{"\"a b\"@example.com", false},
	{"ada@example.com\r\nBcc: eve@example.com", false},
	{"ada@exa mple.com", false},
	{"ada@example..com", false},
	{"a,b@example.com", false},
}

func TestValidateRecipient(t *testing.T) {
	for _, tt := range recipientTests {
		err := admit.ValidateRecipient("invitees[0].email", tt.addr)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateRecipient(%q) = %v, want ok %v", tt.addr, err, tt.ok)
		}
		if err != nil && admit.ErrorField(err) != "invitees[0].email" {
			t.Errorf("ValidateRecipient(%q) names field %q", tt.addr, admit.ErrorField(err))
		}
	}
}

func TestSMTPSettingsValidate(t *testing.T) {
	s := admit.SMTPSettings{Host: "smtp.example.com", From: "meet@example.com"}
	if err := s.Validate(); err != nil || s.Security != admit.SMTPStartTLS || s.Port != 587 {
		t.Fatalf("defaults: %v %s %d, want starttls 587", err, s.Security, s.Port)
	}
	tls := admit.SMTPSettings{Host: "smtp.example.com", Security: admit.SMTPImplicitTLS, From: "meet@example.com"}
	if err := tls.Validate(); err != nil || tls.Port != 465 {
		t.Fatalf("implicit TLS: %v %d, want 465", err, tls.Port)
	}
	bad := []struct {
		s     admit.SMTPSettings
		field string
	}{
		{admit.SMTPSettings{From: "a@example.com"}, "smtp.host"},
		{admit.SMTPSettings{Host: "h", From: "a@example.com", Security: "ssl"}, "smtp.security"},
		{admit.SMTPSettings{Host: "h", From: "a@example.com", Port: 70000}, "smtp.port"},
		{admit.SMTPSettings{Host: "h", From: "a@example.com", Password: "x"}, "smtp.username"},
		{admit.SMTPSettings{Host: "h", From: "nobody"}, "smtp.from"},
		{admit.SMTPSettings{Host: "h", From: "a@example.com", FromName: "a\r\nBcc: x"}, "smtp.from_name"},
	}
	for _, b := range bad {
		if err := b.s.Validate(); admit.ErrorField(err) != b.field {
			t.Errorf("Validate(%+v) = %v, want an error naming %s", b.s, err, b.field)
		}
	}
	var off *admit.SMTPSettings
	if off.Enabled() || (&admit.SMTPSettings{}).Enabled() {
		t.Errorf("empty settings are enabled")
	}
}

func TestOutboxRetryDelay(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, w := range want {
		if got := admit.OutboxRetryDelay(i + 1); got != w {
			t.Errorf("OutboxRetryDelay(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := admit.OutboxRetryDelay(50); got != admit.OutboxMaxRetry {
		t.Errorf("OutboxRetryDelay(50) = %v, want the cap %v", got, admit.OutboxMaxRetry)
	}
}

func TestOutboxMessageDue(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		m    admit.OutboxMessage
		due  bool
	}{
		{"queued now", admit.OutboxMessage{State: admit.OutboxQueued, NextAttemptAt: now}, true},
		{"queued later", admit.OutboxMessage{State: admit.OutboxQueued, NextAttemptAt: now.Add(time.Second)}, false},
		{"sent", admit.OutboxMessage{State: admit.OutboxSent, NextAttemptAt: now}, false},
		{"given up", admit.OutboxMessage{State: admit.OutboxFailing}, false},
		{"leased", admit.OutboxMessage{State: admit.OutboxQueued, NextAttemptAt: now, LeaseOwner: "n", LeaseUntil: now.Add(time.Minute)}, false},
		{"lease ran out", admit.OutboxMessage{State: admit.OutboxFailing, NextAttemptAt: now, LeaseOwner: "n", LeaseUntil: now}, true},
	}
	for _, tt := range tests {
		if got := tt.m.Due(now); got != tt.due {
			t.Errorf("%s: Due = %v, want %v", tt.name, got, tt.due)
		}
	}
}

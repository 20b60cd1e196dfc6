package mail_test

import (
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/mail"
)

func TestSMTPFlags(t *testing.T) {
	env := func(k string) string { return map[string]string{"ADMIT_SMTP_PASSWORD": "pw"}[k] }
	if s, err := (&mail.SMTPFlags{}).Settings(env); s != nil || err != nil {
		t.Fatalf("no host: %v %v, want mail off", s, err)
	}
	s, err := (&mail.SMTPFlags{SMTPHost: "smtp.example.com", SMTPFrom: "m@example.com", SMTPUsername: "u", SMTPSecurity: "tls"}).Settings(env)
	if err != nil {
		t.Fatal(err)
	}
	if s.Port != 465 || s.Security != admit.SMTPImplicitTLS || s.Password != "pw" || s.ReplyToHost {
		t.Errorf("settings %+v", s)
	}
	// A password without a user name is refused.
	if _, err := (&mail.SMTPFlags{SMTPHost: "h.example", SMTPFrom: "m@example.com"}).Settings(env); admit.ErrorField(err) != "smtp.username" {
		t.Errorf("a password without a user: %v", err)
	}
	for _, tt := range []struct {
		f     mail.SMTPFlags
		field string
	}{
		{mail.SMTPFlags{SMTPHost: "h.example", SMTPFrom: "m@example.com", SMTPPort: 70000}, "smtp.port"},
		{mail.SMTPFlags{SMTPHost: "h.example"}, "smtp.from"},
		{mail.SMTPFlags{SMTPHost: "h.example", SMTPFrom: "m@example.com", SMTPSecurity: "ssl"}, "smtp.security"},
	} {
		if _, err := tt.f.Settings(func(string) string { return "" }); admit.ErrorField(err) != tt.field {
			t.Errorf("%+v: %v, want an error naming %s", tt.f, err, tt.field)
		}
	}
}

package mail_test

import (
	"flag"
	"io"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/mail"
)

func parseSMTPFlags(t *testing.T, env map[string]string, args ...string) (*admit.SMTPSettings, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := mail.AddSMTPFlags(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f.Settings()
}

func TestSMTPFlags(t *testing.T) {
	s, err := parseSMTPFlags(t, nil)
	if s != nil || err != nil {
		t.Fatalf("no host: %v %v, want mail off", s, err)
	}
	s, err = parseSMTPFlags(t, map[string]string{"ADMIT_SMTP_HOST": "smtp.example.com", "ADMIT_SMTP_FROM": "m@example.com",
		"ADMIT_SMTP_PASSWORD": "pw", "ADMIT_SMTP_USERNAME": "u"}, "--smtp-security", "tls", "--smtp-reply-to-host=false")
	if err != nil {
		t.Fatal(err)
	}
	if s.Host != "smtp.example.com" || s.Port != 465 || s.Security != admit.SMTPImplicitTLS || s.Password != "pw" || s.ReplyToHost {
		t.Errorf("settings %+v", s)
	}
	for _, tt := range []struct {
		args  []string
		field string
	}{
		{[]string{"--smtp-host", "h.example", "--smtp-from", "m@example.com", "--smtp-port", "x"}, "smtp.port"},
		{[]string{"--smtp-host", "h.example"}, "smtp.from"},
		{[]string{"--smtp-host", "h.example", "--smtp-from", "m@example.com", "--smtp-security", "ssl"}, "smtp.security"},
	} {
		if _, err := parseSMTPFlags(t, nil, tt.args...); admit.ErrorField(err) != tt.field {
			t.Errorf("%v: %v, want an error naming %s", tt.args, err, tt.field)
		}
	}
}

package mail

import (
	"strings"

	"github.com/admit-project/admit"
)

// SMTPFlags are the deployment's SMTP settings as `admit serve` takes them:
// each a flag with an environment variable (the struct tags are
// github.com/alecthomas/kong's, read by cmd/admit; this package does not
// import kong). The password is not a flag: Settings takes it from
// $ADMIT_SMTP_PASSWORD, so that it never shows in a process list.
type SMTPFlags struct {
	SMTPHost        string `name:"smtp-host" env:"ADMIT_SMTP_HOST" placeholder:"HOST" group:"Mail" help:"SMTP server for invitations; empty: mail is off."`
	SMTPPort        int    `name:"smtp-port" env:"ADMIT_SMTP_PORT" placeholder:"PORT" group:"Mail" help:"SMTP port (default 587 for starttls, 465 for tls, 25 for none)."`
	SMTPSecurity    string `name:"smtp-security" env:"ADMIT_SMTP_SECURITY" default:"starttls" enum:"starttls,tls,none" group:"Mail" help:"starttls (required), tls (implicit TLS) or none (a local relay or a test server only)."`
	SMTPUsername    string `name:"smtp-username" env:"ADMIT_SMTP_USERNAME" placeholder:"USER" group:"Mail" help:"SMTP user name; the password is read from $ADMIT_SMTP_PASSWORD."`
	SMTPFrom        string `name:"smtp-from" env:"ADMIT_SMTP_FROM" placeholder:"ADDRESS" group:"Mail" help:"Sender address of invitations."`
	SMTPFromName    string `name:"smtp-from-name" env:"ADMIT_SMTP_FROM_NAME" placeholder:"NAME" group:"Mail" help:"Sender display name."`
	SMTPReplyToHost bool   `name:"smtp-reply-to-host" env:"ADMIT_SMTP_REPLY_TO_HOST" default:"true" negatable:"" group:"Mail" help:"Reply-To is the meeting's host."`
	SMTPHELO        string `name:"smtp-helo" env:"ADMIT_SMTP_HELO" placeholder:"NAME" group:"Mail" help:"Name given in HELO/EHLO."`
}

// Settings returns the validated settings with the password getenv gives
// for ADMIT_SMTP_PASSWORD, or nil when no host is set (mail is off). Errors
// are EINVALID naming the field (smtp.host …).
func (f *SMTPFlags) Settings(getenv func(string) string) (*admit.SMTPSettings, error) {
	if strings.TrimSpace(f.SMTPHost) == "" {
		return nil, nil
	}
	s := &admit.SMTPSettings{Host: strings.TrimSpace(f.SMTPHost), Port: f.SMTPPort,
		Security: admit.SMTPSecurity(strings.ToLower(f.SMTPSecurity)), Username: f.SMTPUsername,
		Password: getenv("ADMIT_SMTP_PASSWORD"), From: strings.TrimSpace(f.SMTPFrom), FromName: f.SMTPFromName,
		ReplyToHost: f.SMTPReplyToHost, HELO: f.SMTPHELO}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

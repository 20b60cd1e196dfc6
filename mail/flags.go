package mail

import (
	"flag"
	"strconv"
	"strings"

	"github.com/admit-project/admit"
)

// SMTPFlags are the deployment's SMTP settings as `admit serve` takes them,
// each flag with an environment variable as its default.
type SMTPFlags struct {
	host, port, security, username, password, from, fromName, replyToHost, helo string
}

// AddSMTPFlags registers --smtp-host, --smtp-port, --smtp-security,
// --smtp-username, --smtp-from, --smtp-from-name, --smtp-reply-to-host and
// --smtp-helo on fs, defaulting to $ADMIT_SMTP_HOST and so on. The password
// comes from $ADMIT_SMTP_PASSWORD only, so that it never shows in a process
// list.
func AddSMTPFlags(fs *flag.FlagSet, getenv func(string) string) *SMTPFlags {
	f := &SMTPFlags{password: getenv("ADMIT_SMTP_PASSWORD")}
	str := func(p *string, name, env, usage string) {
		fs.StringVar(p, name, getenv(env), usage+" ($"+env+")")
	}
	str(&f.host, "smtp-host", "ADMIT_SMTP_HOST", "SMTP server for invitations; empty: mail is off")
	str(&f.port, "smtp-port", "ADMIT_SMTP_PORT", "SMTP port (default 587 for starttls, 465 for tls, 25 for none)")
	str(&f.security, "smtp-security", "ADMIT_SMTP_SECURITY", "starttls (default), tls (implicit TLS) or none (local relay or test server only)")
	str(&f.username, "smtp-username", "ADMIT_SMTP_USERNAME", "SMTP user name; the password is read from $ADMIT_SMTP_PASSWORD")
	str(&f.from, "smtp-from", "ADMIT_SMTP_FROM", "sender address of invitations")
	str(&f.fromName, "smtp-from-name", "ADMIT_SMTP_FROM_NAME", "sender display name")
	str(&f.replyToHost, "smtp-reply-to-host", "ADMIT_SMTP_REPLY_TO_HOST", "true: Reply-To is the meeting's host (default true)")
	str(&f.helo, "smtp-helo", "ADMIT_SMTP_HELO", "name given in HELO/EHLO")
	return f
}

// Settings returns the validated settings, or nil when no host is set (mail
// is off). Errors are EINVALID naming the flag's field (smtp.host …).
func (f *SMTPFlags) Settings() (*admit.SMTPSettings, error) {
	if strings.TrimSpace(f.host) == "" {
		return nil, nil
	}
	s := &admit.SMTPSettings{Host: strings.TrimSpace(f.host), Security: admit.SMTPSecurity(strings.ToLower(f.security)),
		Username: f.username, Password: f.password, From: strings.TrimSpace(f.from), FromName: f.fromName,
		ReplyToHost: true, HELO: f.helo}
	if f.port != "" {
		p, err := strconv.Atoi(f.port)
		if err != nil {
			return nil, admit.FieldErrorf("smtp.port", "smtp.port must be a number, not %q", f.port)
		}
		s.Port = p
	}
	if f.replyToHost != "" {
		b, err := strconv.ParseBool(f.replyToHost)
		if err != nil {
			return nil, admit.FieldErrorf("smtp.reply_to_host", "smtp.reply_to_host must be true or false")
		}
		s.ReplyToHost = b
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

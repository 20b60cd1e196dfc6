package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/admit-project/admit"
)

// Deliverer hands one composed message to a mail server. SMTPSender is the
// real one; tests may pass their own.
type Deliverer interface {
	Deliver(ctx context.Context, m *gomail.Msg) error
}

// SMTPSender delivers over SMTP with go-mail, one connection per message.
type SMTPSender struct {
	Settings admit.SMTPSettings
	// TLSConfig overrides the TLS configuration (for a test server's
	// certificate); nil: the system roots and the server's host name.
	TLSConfig *tls.Config
	// Timeout bounds each connection; 30 s when zero.
	Timeout time.Duration
}

// Deliver sends m. Its error says what the server answered (or why no
// server answered); Permanent reports whether retrying can help.
func (s *SMTPSender) Deliver(ctx context.Context, m *gomail.Msg) error {
	set := s.Settings
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(set.Port), gomail.WithTimeout(timeout)}
	if set.HELO != "" {
		opts = append(opts, gomail.WithHELO(set.HELO))
	}
	tlsConfig := s.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: set.Host, MinVersion: tls.VersionTLS12}
	}
	switch set.Security {
	case admit.SMTPImplicitTLS:
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSConfig(tlsConfig))
	case admit.SMTPNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithTLSConfig(tlsConfig))
	}
	if set.Username != "" {
		auth := gomail.SMTPAuthPlain
		if set.Security == admit.SMTPNone {
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(set.Username), gomail.WithPassword(set.Password))
	}
	c, err := gomail.NewClient(set.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail: SMTP client for %s:%d: %w", set.Host, set.Port, err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("SMTP %s:%d: %w", set.Host, set.Port, err)
	}
	return nil
}

// Permanent reports whether err is a permanent refusal by the server (a 5xx
// answer), after which retrying the same message cannot help.
func Permanent(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode() >= 500 && se.ErrorCode() < 600
	}
	return false
}

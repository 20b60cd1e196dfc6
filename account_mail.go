package admit

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"
)

// AccountMail is an account's own mail settings as the store keeps them:
// its own SMTP server (nil: the deployment's) with the password sealed, and
// its reminder lead.
type AccountMail struct {
	AccountID int64
	// SMTP is the account's own server, its Password empty (the password
	// is PasswordSealed); nil when the account sends through the
	// deployment's server.
	SMTP *SMTPSettings
	// PasswordSealed is the SMTP password sealed with the Keyring, additional
	// data SMTPPasswordAD(AccountID); nil without a password.
	PasswordSealed []byte
	// ReminderLead is how long before each occurrence its reminder goes
	// out for the account's meetings that set none; 0: the deployment's.
	ReminderLead time.Duration
	UpdatedAt    time.Time
}

// SealedSMTPPassword is the SealedValue kind of an account's SMTP password
// (RowPK the account's id), which key rotation seals again too.
const SealedSMTPPassword = "smtp_password"

// SMTPPasswordAD is the additional data an account's SMTP password is
// sealed with, so that a sealed password cannot be moved to another account.
func SMTPPasswordAD(accountID int64) []byte {
	return []byte("account-smtp-password:" + strconv.FormatInt(accountID, 10))
}

// AccountMailStore keeps accounts' mail settings.
type AccountMailStore interface {
	// FindAccountMail returns the account's mail settings; ENOTFOUND when
	// the account never set any.
	FindAccountMail(ctx context.Context, accountID int64) (*AccountMail, error)
	// PutAccountSMTP saves the account's own SMTP server (nil: none, the
	// deployment's) with its sealed password, leaving the reminder lead as
	// it is.
	PutAccountSMTP(ctx context.Context, accountID int64, s *SMTPSettings, passwordSealed []byte) error
	// PutAccountReminderLead saves the account's reminder lead, leaving its
	// SMTP server as it is.
	PutAccountReminderLead(ctx context.Context, accountID int64, lead time.Duration) error
}

// AccountSMTPInput sets an account's own SMTP server.
type AccountSMTPInput struct {
	Host     string       `json:"host"`
	Port     int          `json:"port,omitempty"`     // default by security: 587, 465, 25
	Security SMTPSecurity `json:"security,omitempty"` // starttls (default), tls, or none (loopback hosts only)
	Username string       `json:"username,omitempty"`
	// Password nil keeps the stored one (while Username is set); "" removes it.
	Password *string `json:"password,omitempty"`
	From     string  `json:"from"`
	FromName string  `json:"from_name,omitempty"`
	// ReplyToHost puts the meeting's host in Reply-To; default true.
	ReplyToHost *bool `json:"reply_to_host,omitempty"`
}

// AccountMailView is what owners and admins see of the account's mail
// settings: never the SMTP password, only whether one is set.
type AccountMailView struct {
	// DeploymentSMTP is true when the deployment has an SMTP server, used
	// by accounts without their own.
	DeploymentSMTP bool `json:"deployment_smtp"`
	// SMTP is the account's own server without its password; null when the
	// account uses the deployment's.
	SMTP        *SMTPSettings `json:"smtp"`
	PasswordSet bool          `json:"password_set"`
	// ReminderLeadMinutes is the account's reminder lead (0: the
	// deployment's, EffectiveReminderLeadMinutes).
	ReminderLeadMinutes          int `json:"reminder_lead_minutes"`
	EffectiveReminderLeadMinutes int `json:"effective_reminder_lead_minutes"`
}

// AccountMailInput changes the account's reminder lead; nil fields are
// unchanged.
type AccountMailInput struct {
	// ReminderLeadMinutes: 0 returns to the deployment's default.
	ReminderLeadMinutes *int `json:"reminder_lead_minutes,omitempty"`
}

// IsLoopback reports whether host names this machine: localhost or a
// loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// ValidateAccount checks settings an account gives for its own server:
// Validate's checks, and no unprotected connection but to this machine
// (security none is for a relay on loopback only). EINVALID naming the field.
func (s *SMTPSettings) ValidateAccount() error {
	s.Host = strings.TrimSpace(s.Host)
	s.From = strings.TrimSpace(s.From)
	if err := s.Validate(); err != nil {
		return err
	}
	if s.Security == SMTPNone && !IsLoopback(s.Host) {
		return FieldErrorf("smtp.security", "smtp.security none (no TLS) is allowed for a server on this machine (localhost) only; use starttls or tls")
	}
	if s.HELO != "" {
		return FieldErrorf("smtp.helo", "smtp.helo is the deployment's setting")
	}
	return nil
}

// AccountMailService is the account's mail settings: its own SMTP server
// and its reminder lead. Every method needs an owner or admin of the
// account (EFORBIDDEN otherwise); the SMTP password is never returned.
type AccountMailService interface {
	// AccountMail returns the account's mail settings.
	AccountMail(ctx context.Context, a *Actor) (*AccountMailView, error)
	// SetAccountSMTP sets the account's own SMTP server, its password
	// sealed. A password left out is kept only while the host and user
	// name stay the same. EINVALID names the field at fault.
	SetAccountSMTP(ctx context.Context, a *Actor, in *AccountSMTPInput) (*AccountMailView, error)
	// DeleteAccountSMTP returns the account to the deployment's SMTP
	// server. ENOTFOUND when the account has none of its own.
	DeleteAccountSMTP(ctx context.Context, a *Actor) error
	// UpdateAccountMail changes the account's reminder lead. EINVALID.
	UpdateAccountMail(ctx context.Context, a *Actor, in *AccountMailInput) (*AccountMailView, error)
}

// MaxReminderLeadMinutes bounds a reminder lead, an account's or a
// meeting's: a week.
const MaxReminderLeadMinutes = 7 * 24 * 60

// MaxReminderLead is MaxReminderLeadMinutes as a duration: stores look for
// due reminders no further ahead than this (or the deployment's lead).
const MaxReminderLead = MaxReminderLeadMinutes * time.Minute

// ReminderLeadMinutes checks a reminder lead given in minutes (0: the next
// level's) and returns it. EINVALID naming field.
func ReminderLeadMinutes(field string, minutes int) (time.Duration, error) {
	if minutes < 0 || minutes > MaxReminderLeadMinutes {
		return 0, FieldErrorf(field, "%s must be from 1 to %d minutes (a week), or 0 for the default", field, MaxReminderLeadMinutes)
	}
	return time.Duration(minutes) * time.Minute, nil
}

// EffectiveReminderLead is how long before an occurrence its reminder goes
// out: the meeting's lead, else the account's, else the deployment's.
func EffectiveReminderLead(meeting, account, deployment time.Duration) time.Duration {
	switch {
	case meeting > 0:
		return meeting
	case account > 0:
		return account
	}
	return deployment
}

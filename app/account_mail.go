package app

import (
	"context"
	"time"

	"github.com/admit-project/admit"
)

var _ admit.AccountMailService = (*Service)(nil)

// maxSMTPPassword bounds an SMTP password.
const maxSMTPPassword = 1024

// manageMail is the authorization of the account's mail settings: owners
// and admins, with a token of the scope.
func manageMail(a *admit.Actor, scope string) error {
	if err := require(a, scope); err != nil {
		return err
	}
	if !a.User.CanManageAccount() {
		return &admit.Error{Code: admit.EFORBIDDEN, Message: "Only the account's owner and admins manage its mail settings."}
	}
	return nil
}

// accountMailStore returns the store's account mail settings, if it keeps any.
func (s *Service) accountMailStore() (admit.AccountMailStore, bool) {
	st, ok := s.Store.(admit.AccountMailStore)
	return st, ok
}

// findAccountMail returns the account's stored mail settings, or empty ones
// (ReplyToHost set) when it never set any.
func (s *Service) findAccountMail(ctx context.Context, accountID int64) (*admit.AccountMail, error) {
	st, ok := s.accountMailStore()
	if !ok {
		return &admit.AccountMail{AccountID: accountID}, nil
	}
	m, err := st.FindAccountMail(ctx, accountID)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return &admit.AccountMail{AccountID: accountID}, nil
	}
	return m, err
}

// deploymentReminderLead is the deployment's reminder lead.
func (s *Service) deploymentReminderLead() time.Duration {
	if s.ReminderLead > 0 {
		return s.ReminderLead
	}
	return DefaultReminderLead
}

func (s *Service) accountMailView(m *admit.AccountMail) *admit.AccountMailView {
	v := &admit.AccountMailView{DeploymentSMTP: s.SendMail, PasswordSet: m.SMTP != nil && len(m.PasswordSealed) > 0,
		ReminderLeadMinutes: int(m.ReminderLead / time.Minute)}
	if m.SMTP != nil {
		c := *m.SMTP
		c.Password = ""
		v.SMTP = &c
	}
	v.EffectiveReminderLeadMinutes = int(admit.EffectiveReminderLead(0, m.ReminderLead, s.deploymentReminderLead()) / time.Minute)
	return v
}

// AccountMail returns the account's mail settings; see
// admit.AccountMailService.
func (s *Service) AccountMail(ctx context.Context, a *admit.Actor) (*admit.AccountMailView, error) {
	if err := manageMail(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	m, err := s.findAccountMail(ctx, a.User.AccountID)
	if err != nil {
		return nil, err
	}
	return s.accountMailView(m), nil
}

// SetAccountSMTP sets the account's own SMTP server; see
// admit.AccountMailService.
func (s *Service) SetAccountSMTP(ctx context.Context, a *admit.Actor, in *admit.AccountSMTPInput) (*admit.AccountMailView, error) {
	if err := manageMail(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	st, ok := s.accountMailStore()
	if !ok {
		return nil, &admit.Error{Code: admit.EUNSUPPORTED, Message: "This store keeps no mail settings."}
	}
	if in == nil {
		return nil, admit.FieldErrorf("smtp.host", "smtp.host is required")
	}
	m, err := s.findAccountMail(ctx, a.User.AccountID)
	if err != nil {
		return nil, err
	}
	set := &admit.SMTPSettings{Host: in.Host, Port: in.Port, Security: in.Security, Username: in.Username,
		From: in.From, FromName: in.FromName, ReplyToHost: in.ReplyToHost == nil || *in.ReplyToHost}
	var password string
	if in.Password != nil {
		password = *in.Password
		if len(password) > maxSMTPPassword {
			return nil, admit.FieldErrorf("smtp.password", "smtp.password may have at most %d bytes", maxSMTPPassword)
		}
	}
	set.Password = password
	if err := set.ValidateAccount(); err != nil {
		return nil, err
	}
	set.Password = ""
	sealed := []byte(nil)
	switch {
	case password != "":
		sealed, err = s.Keys.Seal([]byte(password), admit.SMTPPasswordAD(a.User.AccountID))
		if err != nil {
			return nil, err
		}
	case in.Password == nil && set.Username != "":
		// The stored password is kept for the same server and user only:
		// pointing it at another host would hand it to that host.
		old := m.SMTP
		if old == nil || len(m.PasswordSealed) == 0 || old.Host != set.Host || old.Username != set.Username {
			return nil, admit.FieldErrorf("smtp.password", "smtp.password is required for a new server or user name")
		}
		sealed = m.PasswordSealed
	}
	if set.Username != "" && len(sealed) == 0 {
		return nil, admit.FieldErrorf("smtp.password", "smtp.password is required with a user name")
	}
	m.SMTP, m.PasswordSealed = set, sealed
	if err := st.PutAccountSMTP(ctx, m.AccountID, set, sealed); err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: a.User.AccountID, Actor: actorName(a), Action: "mail.smtp.configure", Target: "account", Source: actorSource(a), Outcome: "ok",
		Detail: string(set.Security) + " " + set.Host + ":" + itoa(int64(set.Port))})
	return s.accountMailView(m), nil
}

// DeleteAccountSMTP returns the account to the deployment's SMTP server;
// see admit.AccountMailService.
func (s *Service) DeleteAccountSMTP(ctx context.Context, a *admit.Actor) error {
	if err := manageMail(a, admit.ScopeManage); err != nil {
		return err
	}
	st, ok := s.accountMailStore()
	m, err := s.findAccountMail(ctx, a.User.AccountID)
	if err != nil {
		return err
	}
	if !ok || m.SMTP == nil {
		return &admit.Error{Code: admit.ENOTFOUND, Message: "The account has no SMTP server of its own."}
	}
	m.SMTP, m.PasswordSealed = nil, nil
	if err := st.PutAccountSMTP(ctx, m.AccountID, nil, nil); err != nil {
		return err
	}
	s.event(ctx, &admit.Event{AccountID: a.User.AccountID, Actor: actorName(a), Action: "mail.smtp.delete", Target: "account", Source: actorSource(a), Outcome: "ok"})
	return nil
}

// UpdateAccountMail changes the account's reminder lead; see
// admit.AccountMailService.
func (s *Service) UpdateAccountMail(ctx context.Context, a *admit.Actor, in *admit.AccountMailInput) (*admit.AccountMailView, error) {
	if err := manageMail(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	st, ok := s.accountMailStore()
	if !ok {
		return nil, &admit.Error{Code: admit.EUNSUPPORTED, Message: "This store keeps no mail settings."}
	}
	m, err := s.findAccountMail(ctx, a.User.AccountID)
	if err != nil {
		return nil, err
	}
	if in != nil && in.ReminderLeadMinutes != nil {
		lead, err := admit.ReminderLeadMinutes("reminder_lead_minutes", *in.ReminderLeadMinutes)
		if err != nil {
			return nil, err
		}
		m.ReminderLead = lead
	}
	if err := st.PutAccountReminderLead(ctx, m.AccountID, m.ReminderLead); err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: a.User.AccountID, Actor: actorName(a), Action: "mail.update", Target: "account", Source: actorSource(a), Outcome: "ok",
		Detail: "reminder lead " + m.ReminderLead.String()})
	return s.accountMailView(m), nil
}

// AccountSMTP returns the account's own SMTP settings with the password
// opened, for the sender; nil when the account sends through the
// deployment's server.
func (s *Service) AccountSMTP(ctx context.Context, accountID int64) (*admit.SMTPSettings, error) {
	if _, ok := s.accountMailStore(); !ok {
		return nil, nil
	}
	m, err := s.findAccountMail(ctx, accountID)
	if err != nil || m.SMTP == nil {
		return nil, err
	}
	set := *m.SMTP
	if len(m.PasswordSealed) > 0 {
		p, err := s.Keys.Open(m.PasswordSealed, admit.SMTPPasswordAD(accountID))
		if err != nil {
			return nil, err
		}
		set.Password = string(p)
	}
	return &set, nil
}

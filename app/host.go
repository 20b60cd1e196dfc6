package app

import (
	"context"

	"github.com/admit-project/admit"
)

// HostMeeting returns a meeting for its host's pages without its secrets:
// no shared passcode, access codes or invitees' credentials (links, PINs,
// unique passcodes). Reveal shows them when the host asks, audited; loading
// a page records nothing. It carries the guessing bound and the guess
// budget. ENOTFOUND.
func (s *Service) HostMeeting(ctx context.Context, a *admit.Actor, id string) (*admit.MeetingView, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id, admit.PermSee)
	if err != nil {
		return nil, err
	}
	v, err := s.guard(ctx, m, s.view(m, true))
	if err != nil {
		return nil, err
	}
	v.Passcode, v.PhonePasscode = "", ""
	v.JoinURL = s.JoinURL(m, false)
	for _, o := range v.Occurrences {
		o.AccessCode, o.AccessCodeDisplay = "", ""
	}
	for _, inv := range v.Invitees {
		inv.Link, inv.PIN, inv.Passcode, inv.PhonePasscode = "", "", "", ""
	}
	return v, nil
}

// Reveal shows the meeting's shared passcode (what RevealPasscode), the
// access code of occurrence n (RevealAccessCode; 0 is the open or next
// one), or every invitee's link, PIN and unique passcode (RevealInvitees),
// and records the showing as code.view with what as detail.
// EINVALID when the meeting has no such secret; ENOTFOUND.
func (s *Service) Reveal(ctx context.Context, a *admit.Actor, id, what string, n int) (*admit.Revealed, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id, admit.PermSee)
	if err != nil {
		return nil, err
	}
	var out *admit.Revealed
	detail := what
	switch what {
	case admit.RevealPasscode:
		if m.Passcode == nil {
			return nil, admit.FieldErrorf("what", "this meeting has no shared passcode")
		}
		p := s.open(m.Passcode, "meeting:"+m.ID+":passcode")
		out = &admit.Revealed{Value: p, Display: p, Phone: s.open(m.PhonePasscode, "meeting:"+m.ID+":phone-passcode"), JoinURL: s.JoinURL(m, true)}
	case admit.RevealAccessCode:
		if !m.Security.AccessCode {
			return nil, admit.FieldErrorf("what", "this meeting has no access code")
		}
		o, err := s.pickOccurrence(m, n, s.now())
		if err != nil {
			return nil, err
		}
		c := s.open(o.AccessCode, codeAD(m, o.Index))
		if c == "" {
			return nil, admit.FieldErrorf("occurrence", "occurrence %d has no access code", o.Index)
		}
		out = &admit.Revealed{Value: c, Display: admit.FormatDigits(c)}
		detail += " occurrence " + itoa(int64(o.Index))
	case admit.RevealInvitees:
		if len(m.Invitees) == 0 {
			return nil, admit.FieldErrorf("what", "this meeting has no invitees")
		}
		v, err := s.guard(ctx, m, s.view(m, true))
		if err != nil {
			return nil, err
		}
		out = &admit.Revealed{Invitees: v.Invitees}
	default:
		return nil, admit.FieldErrorf("what", "what must be passcode, access_code or invitees")
	}
	if err := s.auditReveal(ctx, &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "code.view", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok", Detail: detail}); err != nil {
		return nil, err
	}
	return out, nil
}

// WatchMeeting returns a channel that receives a value whenever the
// meeting's roster, budget or join data may have changed (coalesced: one
// value stands for any number of changes), until ctx is done. ENOTFOUND.
func (s *Service) WatchMeeting(ctx context.Context, a *admit.Actor, id string) (<-chan struct{}, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id, admit.PermSee)
	if err != nil {
		return nil, err
	}
	ch, err := s.Changes().Subscribe(ctx)
	if err != nil {
		return nil, err
	}
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		for c := range ch {
			if c.MeetingPK != m.PK {
				continue
			}
			select {
			case out <- struct{}{}:
			default:
			}
		}
	}()
	return out, nil
}

// PreviewSecurity resolves in over the actor's account defaults (with
// their locks) for a meeting with invitees invitees, checks a chosen
// passcode with the policy the service applies when the meeting is saved,
// and computes the guessing bound, drawing generated credentials as
// CreateMeeting would. Nothing is stored.
func (s *Service) PreviewSecurity(ctx context.Context, a *admit.Actor, in *admit.SecurityInput, invitees int) (*admit.SecurityPreview, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	acct, err := s.Store.FindAccountByID(ctx, a.User.AccountID)
	if err != nil {
		return nil, err
	}
	if invitees < 0 || invitees > admit.MaxInvitees {
		return nil, admit.FieldErrorf("invitees", "a meeting may have at most %d invitees", admit.MaxInvitees)
	}
	out := &admit.SecurityPreview{}
	m := &admit.Meeting{ID: "mpreview", AccountID: acct.ID, Kind: admit.KindScheduled, Security: acct.Security.Security}
	var chosen *string
	if in != nil {
		chosen = in.PasscodeValue
		if err := m.Security.Apply(in, &acct.Security, "security"); err != nil {
			out.Error, out.ErrorField = admit.ErrorMessage(err), admit.ErrorField(err)
			out.Security = m.Security
			return out, nil
		}
	}
	out.Security = m.Security
	if chosen != nil && m.Security.Passcode == admit.PasscodeShared {
		if err := m.Security.PasscodePolicy.CheckChosen("security.passcode_value", *chosen, ""); err != nil {
			out.PasscodeError = admit.ErrorMessage(err)
			chosen = nil
		}
	} else {
		chosen = nil
	}
	for i := 0; i < invitees; i++ {
		m.Invitees = append(m.Invitees, &admit.Invitee{ID: "ipreview" + itoa(int64(i))})
	}
	if err := s.setPasscodes(m, chosen, true); err != nil {
		return nil, err
	}
	s.openSecrets(m)
	out.Bound = admit.GuessBound(m, acct.Security.Budget(), acct.Security.Ceiling())
	if err := out.Bound.Check("security."); err != nil {
		out.BoundError = admit.ErrorMessage(err)
	}
	return out, nil
}

// PersonalRoom returns the actor's personal meeting room, without secrets.
// ENOTFOUND.
func (s *Service) PersonalRoom(ctx context.Context, a *admit.Actor) (*admit.MeetingView, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	m, err := s.Store.FindPersonalRoom(ctx, a.User.ID)
	if err != nil {
		return nil, err
	}
	return s.view(m, false), nil
}

// Plan returns the plan of the actor's account.
func (s *Service) Plan(ctx context.Context, a *admit.Actor) (admit.Plan, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return "", err
	}
	acct, err := s.Store.FindAccountByID(ctx, a.User.AccountID)
	if err != nil {
		return "", err
	}
	return acct.Plan, nil
}

// SuggestPasscode draws a passcode under the actor's account policy, for
// the schedule form to show (the host keeps it or types their own).
func (s *Service) SuggestPasscode(ctx context.Context, a *admit.Actor) (string, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return "", err
	}
	acct, err := s.Store.FindAccountByID(ctx, a.User.AccountID)
	if err != nil {
		return "", err
	}
	pol := acct.Security.PasscodePolicy
	for {
		p, err := pol.Generate(s.Rand)
		if err != nil {
			return "", err
		}
		if pol.CheckChosen("passcode", p) == nil {
			return p, nil
		}
	}
}

package app

import (
	"context"
	"net/http"
	"time"

	"github.com/admit-project/admit"
)

// MediaRooms is the media side the service drives (media.Rooms, wired by
// cmd/admit): the account's media backend, grants, removal, ending,
// webhooks and presence.
type MediaRooms interface {
	Configure(ctx context.Context, accountID int64, cfg admit.MediaConfig) (*admit.MediaConfig, error)
	Config(ctx context.Context, accountID int64) (*admit.MediaConfig, error)
	Kind(ctx context.Context, accountID int64) (admit.MediaKind, error)
	Delete(ctx context.Context, accountID int64) error
	GrantParticipant(ctx context.Context, m *admit.Meeting, o *admit.Occurrence, p *admit.Participant, email string) (*admit.MediaGrant, error)
	GrantHost(ctx context.Context, m *admit.Meeting, o *admit.Occurrence, u *admit.User) (*admit.MediaGrant, error)
	Removed(ctx context.Context, m *admit.Meeting, o *admit.Occurrence, p *admit.Participant)
	Ended(ctx context.Context, m *admit.Meeting, o *admit.Occurrence)
	Webhook(ctx context.Context, accountID int64, r *http.Request) error
	Presence(ctx context.Context, o *admit.Occurrence) ([]*admit.MediaConnection, error)
}

var _ admit.MediaService = (*Service)(nil)

var errNoMedia = &admit.Error{Code: admit.EUNSUPPORTED, Message: "No media server is configured for this account."}

// redactedConfig returns cfg without its secret.
func redactedConfig(cfg *admit.MediaConfig) *admit.MediaConfig {
	c := *cfg
	if c.LiveKit != nil {
		lk := *c.LiveKit
		lk.APISecret = ""
		c.LiveKit = &lk
	}
	if c.Jitsi != nil {
		j := *c.Jitsi
		j.AppSecret = ""
		c.Jitsi = &j
	}
	if c.BigBlueButton != nil {
		b := *c.BigBlueButton
		b.Secret = ""
		c.BigBlueButton = &b
	}
	return &c
}

// manageAccount checks that a may change the account's settings.
func manageAccount(a *admit.Actor, scope string) error {
	if err := require(a, scope); err != nil {
		return err
	}
	if !a.User.CanManageAccount() {
		return &admit.Error{Code: admit.EFORBIDDEN, Message: "Only the account's owner and admins manage its media server."}
	}
	return nil
}

// MediaSettings returns the account's media backend without its secret.
// Owners and admins only (EFORBIDDEN); ENOTFOUND when there is none.
func (s *Service) MediaSettings(ctx context.Context, a *admit.Actor) (*admit.MediaConfig, error) {
	if err := manageAccount(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	if s.Media == nil {
		return nil, &admit.Error{Code: admit.ENOTFOUND, Message: "No media server is configured for this account."}
	}
	cfg, err := s.Media.Config(ctx, a.User.AccountID)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return nil, &admit.Error{Code: admit.ENOTFOUND, Message: "No media server is configured for this account."}
	} else if err != nil {
		return nil, err
	}
	return redactedConfig(cfg), nil
}

// SetMediaSettings saves the account's media backend; see
// admit.MediaService.
func (s *Service) SetMediaSettings(ctx context.Context, a *admit.Actor, cfg *admit.MediaConfig) (*admit.MediaConfig, error) {
	if err := manageAccount(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	if s.Media == nil {
		return nil, errNoMedia
	}
	if cfg == nil {
		return nil, admit.FieldErrorf("backend", "The media backend is one of livekit, jitsi, bbb.")
	}
	out, err := s.Media.Configure(ctx, a.User.AccountID, *cfg)
	if err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: a.User.AccountID, Actor: actorName(a), Action: "media.configure", Target: "account", Source: actorSource(a), Outcome: "ok", Detail: string(out.Kind)})
	return out, nil
}

// DeleteMediaSettings removes the account's media backend. Owners and
// admins only (EFORBIDDEN); ENOTFOUND.
func (s *Service) DeleteMediaSettings(ctx context.Context, a *admit.Actor) error {
	if err := manageAccount(a, admit.ScopeManage); err != nil {
		return err
	}
	if s.Media == nil {
		return &admit.Error{Code: admit.ENOTFOUND, Message: "No media server is configured for this account."}
	}
	if err := s.Media.Delete(ctx, a.User.AccountID); err != nil {
		return err
	}
	s.event(ctx, &admit.Event{AccountID: a.User.AccountID, Actor: actorName(a), Action: "media.delete", Target: "account", Source: actorSource(a), Outcome: "ok"})
	return nil
}

// ParticipantMedia returns a fresh grant for an admitted participant; see
// admit.MediaService.
func (s *Service) ParticipantMedia(ctx context.Context, pid string) (*admit.MediaGrant, error) {
	if !admit.ValidParticipantID(pid) {
		return nil, &admit.Error{Code: admit.ENOTFOUND, Message: "No such participant."}
	}
	p, m, o, err := s.participant(ctx, s.participantHandle(pid))
	if err != nil {
		return nil, err
	}
	if s.Media == nil {
		return nil, errNoMedia
	}
	return s.Media.GrantParticipant(ctx, m, o, p, "")
}

// MediaKind returns the kind of the actor's account's media backend, or ""
// when it has none; see admit.MediaService.
func (s *Service) MediaKind(ctx context.Context, a *admit.Actor) admit.MediaKind {
	if s.Media == nil || a == nil || a.User == nil {
		return ""
	}
	k, err := s.Media.Kind(ctx, a.User.AccountID)
	if err != nil {
		if admit.ErrorCode(err) != admit.ENOTFOUND {
			s.logger().Warn("media: backend kind", "account", a.User.AccountID, "err", err)
		}
		return ""
	}
	return k
}

// StartMedia opens an occurrence's room and returns the host's grant; see
// admit.MediaService.
func (s *Service) StartMedia(ctx context.Context, a *admit.Actor, id string, n int) (*admit.MediaGrant, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id, admit.PermRun)
	if err != nil {
		return nil, err
	}
	if s.Media == nil {
		return nil, errNoMedia
	}
	now := s.now()
	var o *admit.Occurrence
	if m.Kind == admit.KindPersonal && n == 0 {
		// The host starts their personal room as the first join would: a
		// session opens when none is open (and only when a room can open).
		if _, err := s.Media.Kind(ctx, m.AccountID); admit.ErrorCode(err) == admit.ENOTFOUND {
			return nil, errNoMedia
		} else if err != nil {
			return nil, err
		}
		o, err = s.openPersonalSession(ctx, m, now)
	} else {
		o, err = s.pickOccurrence(m, n, now)
	}
	if err != nil {
		return nil, err
	}
	g, err := s.Media.GrantHost(ctx, m, o, a.User)
	if err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "media.start", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok", Detail: "occurrence " + itoa(int64(o.Index))})
	return g, nil
}

// MediaWebhook takes a webhook of the account's media server; see
// admit.MediaService.
func (s *Service) MediaWebhook(ctx context.Context, accountID int64, r *http.Request) error {
	if s.Media == nil {
		return errNoMedia
	}
	return s.Media.Webhook(ctx, accountID, r)
}

// mediaRemoved carries a participant's removal, denial or leave to the
// media server (best effort; see media.Rooms.Removed).
func (s *Service) mediaRemoved(ctx context.Context, m *admit.Meeting, o *admit.Occurrence, p *admit.Participant) {
	if s.Media != nil && m != nil && o != nil && p != nil {
		s.Media.Removed(context.WithoutCancel(ctx), m, o, p)
	}
}

// mediaEnded closes an occurrence's room on the media server.
func (s *Service) mediaEnded(ctx context.Context, m *admit.Meeting, o *admit.Occurrence) {
	if s.Media != nil && m != nil && o != nil {
		s.Media.Ended(context.WithoutCancel(ctx), m, o)
	}
}

// mediaGrant is the grant a participant's status carries while they are
// admitted and the account has a media backend; nil otherwise.
func (s *Service) mediaGrant(ctx context.Context, m *admit.Meeting, o *admit.Occurrence, p *admit.Participant) *admit.MediaGrant {
	if s.Media == nil || p.State != admit.StateAdmitted {
		return nil
	}
	g, err := s.Media.GrantParticipant(ctx, m, o, p, "")
	if err != nil {
		if code := admit.ErrorCode(err); code != admit.EUNSUPPORTED && code != admit.ECONFLICT {
			s.logger().Warn("media: grant", "meeting", m.ID, "err", err)
		}
		return nil
	}
	return g
}

// addMediaPresence fills the media columns of an occurrence's attendance
// rows (rows[i] is ps[i]) from the presence the media server reported.
func (s *Service) addMediaPresence(ctx context.Context, o *admit.Occurrence, ps []*admit.Participant, rows []*admit.AttendanceRow, now time.Time) {
	if s.Media == nil {
		return
	}
	cs, err := s.Media.Presence(ctx, o)
	if err != nil {
		s.logger().Warn("media: presence", "occurrence_pk", o.PK, "err", err)
		return
	}
	byPK := map[int64]*admit.AttendanceRow{}
	for i, p := range ps {
		byPK[p.PK] = rows[i]
	}
	end := now
	if o.EndedAt != nil && o.EndedAt.Before(end) {
		end = *o.EndedAt
	} else if o.ClosesAt.Before(end) {
		end = o.ClosesAt
	}
	for _, c := range cs {
		row := byPK[c.ParticipantPK]
		if row == nil || c.ParticipantPK == 0 {
			continue
		}
		if row.MediaConnectedAt == nil || c.ConnectedAt.Before(*row.MediaConnectedAt) {
			t := c.ConnectedAt
			row.MediaConnectedAt = &t
		}
		stop := end
		if c.LeftAt != nil {
			stop = *c.LeftAt
			if row.MediaLeftAt == nil || stop.After(*row.MediaLeftAt) {
				t := stop
				row.MediaLeftAt = &t
			}
		}
		if d := stop.Sub(c.ConnectedAt); d > 0 {
			row.MediaSeconds += int64(d / time.Second)
		}
	}
	// A row whose last connection is still open has no leave time.
	for _, c := range cs {
		if row := byPK[c.ParticipantPK]; row != nil && c.LeftAt == nil {
			row.MediaLeftAt = nil
		}
	}
}

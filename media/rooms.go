package media

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/admit-project/admit"
)

// Store is what Rooms reads and writes: media backends and presence, and the
// participants, occurrences and meetings they belong to.
type Store interface {
	admit.MediaStore
	FindMeetingByID(ctx context.Context, accountID int64, id string) (*admit.Meeting, error)
	FindParticipants(ctx context.Context, occurrencePK int64) ([]*admit.Participant, error)
	FindUsers(ctx context.Context, accountID int64) ([]*admit.User, error)
}

// Rooms is the media side of the application: it keeps each account's
// media backend (its secret sealed), issues grants to admitted participants
// and hosts only, carries removal and ending to the media server, and takes
// the media server's webhooks (presence, and enforcement: whoever connects
// without being admitted is removed again, and a room that starts for an
// occurrence that is over is closed).
type Rooms struct {
	Store Store
	Keys  admit.Keyring
	// Now returns the current time.
	Now func() time.Time
	// HTTPClient reaches the media servers; nil means each backend's default.
	HTTPClient *http.Client
	// Logger records media failures (never secrets); nil means
	// slog.Default().
	Logger *slog.Logger
	// Open makes a backend from a configuration; nil means the package's
	// Open. Tests may swap it.
	Open func(cfg admit.MediaConfig, c *http.Client) (admit.MediaBackend, error)
}

func (r *Rooms) now() time.Time {
	if r.Now == nil {
		return time.Now().UTC()
	}
	return r.Now().UTC()
}

func (r *Rooms) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.Default()
	}
	return r.Logger
}

// secretOf returns a pointer to the one secret of cfg's backend.
func secretOf(cfg *admit.MediaConfig) *string {
	switch cfg.Kind {
	case admit.MediaLiveKit:
		if cfg.LiveKit != nil {
			return &cfg.LiveKit.APISecret
		}
	case admit.MediaJitsi:
		if cfg.Jitsi != nil {
			return &cfg.Jitsi.AppSecret
		}
	case admit.MediaBigBlueButton:
		if cfg.BigBlueButton != nil {
			return &cfg.BigBlueButton.Secret
		}
	}
	return nil
}

// Configure saves cfg as the account's media backend, its secret sealed.
// An empty secret keeps the one stored for the same kind of backend.
// EINVALID names the field at fault.
func (r *Rooms) Configure(ctx context.Context, accountID int64, cfg admit.MediaConfig) (*admit.MediaConfig, error) {
	cfg = cloneConfig(cfg)
	sec := secretOf(&cfg)
	if sec != nil && *sec == "" {
		if old, err := r.Config(ctx, accountID); err == nil && old.Kind == cfg.Kind {
			*sec = *secretOf(old)
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	settings, err := json.Marshal(Redacted(cfg))
	if err != nil {
		return nil, err
	}
	sealed, err := r.Keys.Seal([]byte(*secretOf(&cfg)), admit.MediaSecretAD(accountID))
	if err != nil {
		return nil, err
	}
	err = r.Store.PutMediaBackend(ctx, &admit.StoredMediaBackend{AccountID: accountID, Kind: cfg.Kind,
		Settings: settings, SecretSealed: sealed, TokenTTL: cfg.TokenTTL})
	if err != nil {
		return nil, err
	}
	return Redacted(cfg), nil
}

// Config returns the account's media backend with its secret opened.
// ENOTFOUND when the account has none.
func (r *Rooms) Config(ctx context.Context, accountID int64) (*admit.MediaConfig, error) {
	b, err := r.Store.FindMediaBackend(ctx, accountID)
	if err != nil {
		return nil, err
	}
	var cfg admit.MediaConfig
	if err := json.Unmarshal(b.Settings, &cfg); err != nil {
		return nil, err
	}
	cfg.Kind, cfg.TokenTTL = b.Kind, b.TokenTTL
	plain, err := r.Keys.Open(b.SecretSealed, admit.MediaSecretAD(accountID))
	if err != nil {
		return nil, err
	}
	if sec := secretOf(&cfg); sec != nil {
		*sec = string(plain)
	}
	return &cfg, nil
}

// Kind returns the kind of the account's media backend, without opening
// its secret. ENOTFOUND when the account has none.
func (r *Rooms) Kind(ctx context.Context, accountID int64) (admit.MediaKind, error) {
	b, err := r.Store.FindMediaBackend(ctx, accountID)
	if err != nil {
		return "", err
	}
	return b.Kind, nil
}

// Redacted returns a copy of cfg without its secret, to show.
func Redacted(cfg admit.MediaConfig) *admit.MediaConfig {
	c := cloneConfig(cfg)
	if sec := secretOf(&c); sec != nil {
		*sec = ""
	}
	return &c
}

func cloneConfig(cfg admit.MediaConfig) admit.MediaConfig {
	if cfg.LiveKit != nil {
		c := *cfg.LiveKit
		cfg.LiveKit = &c
	}
	if cfg.Jitsi != nil {
		c := *cfg.Jitsi
		cfg.Jitsi = &c
	}
	if cfg.BigBlueButton != nil {
		c := *cfg.BigBlueButton
		cfg.BigBlueButton = &c
	}
	return cfg
}

// Delete removes the account's media backend. ENOTFOUND.
func (r *Rooms) Delete(ctx context.Context, accountID int64) error {
	return r.Store.DeleteMediaBackend(ctx, accountID)
}

// ErrNoBackend is returned when an account has no media backend.
var ErrNoBackend = &admit.Error{Code: admit.EUNSUPPORTED, Message: "No media server is configured for this account."}

// Backend opens the account's media backend. EUNSUPPORTED (ErrNoBackend)
// when it has none.
func (r *Rooms) Backend(ctx context.Context, accountID int64) (admit.MediaBackend, *admit.MediaConfig, error) {
	cfg, err := r.Config(ctx, accountID)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return nil, nil, ErrNoBackend
	} else if err != nil {
		return nil, nil, err
	}
	open := r.Open
	if open == nil {
		open = Open
	}
	b, err := open(*cfg, r.HTTPClient)
	if err != nil {
		return nil, nil, err
	}
	return b, cfg, nil
}

// Room returns the media room of occurrence o of meeting m.
func Room(m *admit.Meeting, o *admit.Occurrence) admit.MediaRoom {
	return admit.MediaRoom{Name: admit.MediaRoomName(m.ID, o.Index), Title: m.Topic}
}

// GrantParticipant returns what admitted participant p needs to connect to
// occurrence o's room. ECONFLICT when p is not admitted or the occurrence
// is not open; EUNSUPPORTED when the account has no media backend.
func (r *Rooms) GrantParticipant(ctx context.Context, m *admit.Meeting, o *admit.Occurrence, p *admit.Participant, email string) (*admit.MediaGrant, error) {
	if p.State != admit.StateAdmitted {
		return nil, &admit.Error{Code: admit.ECONFLICT, Message: "Only an admitted participant gets into the meeting room."}
	}
	if o.State(r.now()) != admit.WindowOpen {
		return nil, &admit.Error{Code: admit.ECONFLICT, Message: "The meeting is not open."}
	}
	b, cfg, err := r.Backend(ctx, m.AccountID)
	if err != nil {
		return nil, err
	}
	return b.Grant(ctx, Room(m, o), admit.MediaParticipant{Identity: admit.MediaIdentity(p.ID), Name: p.DisplayName, Email: email}, cfg.TTL())
}

// GrantHost opens occurrence o's room and returns host u's grant as its
// admin. ECONFLICT when the occurrence is not open; EUNSUPPORTED when the
// account has no media backend.
func (r *Rooms) GrantHost(ctx context.Context, m *admit.Meeting, o *admit.Occurrence, u *admit.User) (*admit.MediaGrant, error) {
	if o.State(r.now()) != admit.WindowOpen {
		return nil, &admit.Error{Code: admit.ECONFLICT, Message: "The meeting is not open."}
	}
	b, cfg, err := r.Backend(ctx, m.AccountID)
	if err != nil {
		return nil, err
	}
	return b.Start(ctx, Room(m, o), admit.MediaParticipant{Identity: admit.MediaHostIdentity(u.ID), Name: u.Name, Email: u.Email, Host: true}, cfg.TTL())
}

// Removed carries the removal (or denial) of participant p to the media
// server at once. Failures are logged: the participant's state in admit is
// already final, their token is short-lived and the webhook enforcement
// removes them again if they connect.
func (r *Rooms) Removed(ctx context.Context, m *admit.Meeting, o *admit.Occurrence, p *admit.Participant) {
	b, _, err := r.Backend(ctx, m.AccountID)
	if err != nil {
		if err != ErrNoBackend {
			r.logger().Warn("media: no backend to remove a participant", "meeting", m.ID, "err", err)
		}
		return
	}
	if err := b.Remove(ctx, Room(m, o).Name, admit.MediaIdentity(p.ID)); err != nil && admit.ErrorCode(err) != admit.EUNSUPPORTED {
		r.logger().Warn("media: remove failed", "meeting", m.ID, "occurrence", o.Index, "err", err)
	}
}

// Ended closes occurrence o's room on the media server. Failures are
// logged.
func (r *Rooms) Ended(ctx context.Context, m *admit.Meeting, o *admit.Occurrence) {
	b, _, err := r.Backend(ctx, m.AccountID)
	if err != nil {
		if err != ErrNoBackend {
			r.logger().Warn("media: no backend to end a room", "meeting", m.ID, "err", err)
		}
		return
	}
	if err := b.End(ctx, Room(m, o).Name); err != nil && admit.ErrorCode(err) != admit.EUNSUPPORTED {
		r.logger().Warn("media: end failed", "meeting", m.ID, "occurrence", o.Index, "err", err)
	}
}

// Webhook verifies and takes a webhook of the account's media server:
// participants' connections land in presence, and admission is enforced:
// an identity that connects without being an admitted participant (or a
// host) is removed, and a room that starts for an occurrence that is not
// open is closed. EUNAUTHORIZED when the signature does not verify;
// EUNSUPPORTED when the backend sends no webhooks.
func (r *Rooms) Webhook(ctx context.Context, accountID int64, req *http.Request) error {
	b, _, err := r.Backend(ctx, accountID)
	if err != nil {
		return err
	}
	wr, ok := b.(WebhookReceiver)
	if !ok {
		return &admit.Error{Code: admit.EUNSUPPORTED, Message: "This account's media server sends no webhooks to admit."}
	}
	ev, err := wr.ReceiveWebhook(req)
	if err != nil || ev == nil {
		return err
	}
	mid, n, ok := admit.ParseMediaRoomName(ev.Room)
	if !ok {
		return nil // not a room admit made
	}
	m, err := r.Store.FindMeetingByID(ctx, accountID, mid)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		if ev.Kind == admit.MediaEventRoomStarted || ev.Kind == admit.MediaEventJoined {
			r.enforce(ctx, b, ev, "a room of no meeting of this account")
		}
		return nil
	} else if err != nil {
		return err
	}
	var o *admit.Occurrence
	for _, c := range m.Occurrences {
		if c.Index == n {
			o = c
		}
	}
	if o == nil {
		r.enforce(ctx, b, ev, "a room of no occurrence")
		return nil
	}
	// Presence is dated by admit's clock, as admission is: webhooks arrive
	// within moments, and one clock keeps the attendance record coherent.
	at := r.now()
	switch ev.Kind {
	case admit.MediaEventRoomStarted:
		if o.State(r.now()) != admit.WindowOpen {
			r.enforce(ctx, b, ev, "the occurrence is not open")
		}
		return nil
	case admit.MediaEventJoined, admit.MediaEventLeft:
	default:
		return nil
	}
	var pk int64
	allowed := false
	if len(ev.Identity) > 0 && ev.Identity[0] == 'h' {
		// A host: a user who may run the meeting now. LiveKit refreshes the
		// tokens of connected clients, so a host token outlives its grant;
		// one kept by someone no longer named (or removed) is thrown out.
		if o.State(r.now()) == admit.WindowOpen {
			if allowed, err = r.runsMeeting(ctx, m, ev.Identity); err != nil {
				return err
			}
		}
	} else {
		ps, err := r.Store.FindParticipants(ctx, o.PK)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if admit.MediaIdentity(p.ID) == ev.Identity {
				pk = p.PK
				allowed = p.State == admit.StateAdmitted && o.State(r.now()) == admit.WindowOpen
			}
		}
	}
	c := &admit.MediaConnection{OccurrencePK: o.PK, ParticipantPK: pk, Identity: ev.Identity, ConnectedAt: at}
	if ev.Kind == admit.MediaEventLeft {
		c.LeftAt = &at
	}
	if _, err := r.Store.RecordMediaEvent(ctx, ev.ID, ev.Kind, c); err != nil {
		return err
	}
	if ev.Kind == admit.MediaEventJoined && !allowed {
		r.enforce(ctx, b, ev, "not admitted")
	}
	return nil
}

// runsMeeting reports whether the host identity is that of a user who may
// run meeting m (its host, an alternative host, the account's owners and
// admins).
func (r *Rooms) runsMeeting(ctx context.Context, m *admit.Meeting, identity string) (bool, error) {
	us, err := r.Store.FindUsers(ctx, m.AccountID)
	if err != nil {
		return false, err
	}
	for _, u := range us {
		if admit.MediaHostIdentity(u.ID) == identity {
			return admit.MeetingPermissions(u, m.AccountID, m.HostID, m.AlternativeHosts)&admit.PermRun != 0, nil
		}
	}
	return false, nil
}

// enforce undoes what the media server reported without admit's leave: it
// removes a participant who connected, or closes a room that started.
func (r *Rooms) enforce(ctx context.Context, b admit.MediaBackend, ev *admit.MediaEvent, why string) {
	var err error
	switch ev.Kind {
	case admit.MediaEventJoined:
		err = b.Remove(ctx, ev.Room, ev.Identity)
	case admit.MediaEventRoomStarted:
		err = b.End(ctx, ev.Room)
	default:
		return
	}
	r.logger().Warn("media: enforced admission", "event", ev.Kind, "room", ev.Room, "why", why, "err", err)
}

// Presence returns the occurrence's media connections, oldest first.
func (r *Rooms) Presence(ctx context.Context, o *admit.Occurrence) ([]*admit.MediaConnection, error) {
	return r.Store.FindMediaConnections(ctx, o.PK)
}

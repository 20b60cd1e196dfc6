package livekit

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/livekit/protocol/auth"
	lkproto "github.com/livekit/protocol/livekit"
	"github.com/twitchtv/twirp"

	"github.com/admit-project/admit"
)

// apiTokenTTL is the lifetime of the tokens admit signs for its own
// RoomService calls.
const apiTokenTTL = time.Minute

// Backend is a LiveKit server as admit's media backend.
type Backend struct {
	cfg    admit.LiveKitConfig
	api    string // http(s) base URL of the server's API
	client lkproto.RoomService
	// Now returns the current time; it dates grants' ExpiresAt. LiveKit's
	// token library reads the system clock for nbf and exp itself.
	Now func() time.Time
}

var _ admit.MediaBackend = (*Backend)(nil)

// New returns a backend for cfg. httpClient nil means a client with a 10
// second timeout. EINVALID when cfg is not valid.
func New(cfg admit.LiveKitConfig, httpClient *http.Client) (*Backend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	api := cfg.APIURL
	if api == "" {
		api = cfg.URL
	}
	api = HTTPURL(api)
	return &Backend{
		cfg:    cfg,
		api:    api,
		client: lkproto.NewRoomServiceProtobufClient(api, httpClient),
		Now:    time.Now,
	}, nil
}

// HTTPURL turns a ws:// or wss:// server URL into the http:// or https://
// address of the same server's API, without a trailing slash.
func HTTPURL(u string) string {
	switch {
	case strings.HasPrefix(u, "ws://"):
		u = "http://" + strings.TrimPrefix(u, "ws://")
	case strings.HasPrefix(u, "wss://"):
		u = "https://" + strings.TrimPrefix(u, "wss://")
	}
	return strings.TrimRight(u, "/")
}

// Kind returns admit.MediaLiveKit.
func (b *Backend) Kind() admit.MediaKind { return admit.MediaLiveKit }

// Metadata is the participant metadata admit puts in the tokens it issues
// (JSON in the token's metadata claim); the room client reads it.
type Metadata struct {
	Host bool `json:"host,omitempty"`
}

// Grant returns a token for p to join room: publish and subscribe, no room
// administration, and no changing the name or metadata admit gave them.
func (b *Backend) Grant(_ context.Context, room admit.MediaRoom, p admit.MediaParticipant, ttl time.Duration) (*admit.MediaGrant, error) {
	return b.grant(room, p, ttl)
}

// Start returns the host's token for room, which carries roomAdmin so that
// the host's client may mute or remove others. LiveKit creates the room when
// the first participant connects.
func (b *Backend) Start(_ context.Context, room admit.MediaRoom, host admit.MediaParticipant, ttl time.Duration) (*admit.MediaGrant, error) {
	host.Host = true
	return b.grant(room, host, ttl)
}

// Token returns a signed LiveKit access token for p in room, valid for ttl.
func (b *Backend) Token(room string, p admit.MediaParticipant, ttl time.Duration) (string, error) {
	if room == "" {
		return "", admit.FieldErrorf("room", "The media room is required.")
	}
	if p.Identity == "" {
		return "", admit.FieldErrorf("identity", "The participant's media identity is required.")
	}
	no := false
	yes := true
	md, err := json.Marshal(Metadata{Host: p.Host})
	if err != nil {
		return "", err
	}
	grant := &auth.VideoGrant{
		RoomJoin:             true,
		Room:                 room,
		RoomAdmin:            p.Host,
		CanPublish:           &yes,
		CanSubscribe:         &yes,
		CanPublishData:       &yes,
		CanUpdateOwnMetadata: &no,
	}
	at := auth.NewAccessToken(b.cfg.APIKey, b.cfg.APISecret).
		SetIdentity(p.Identity).
		SetName(p.Name).
		SetMetadata(string(md)).
		SetValidFor(ttl).
		SetVideoGrant(grant)
	return at.ToJWT()
}

func (b *Backend) grant(room admit.MediaRoom, p admit.MediaParticipant, ttl time.Duration) (*admit.MediaGrant, error) {
	if ttl <= 0 {
		ttl = admit.DefaultMediaTokenTTL
	}
	now := b.Now()
	tok, err := b.Token(room.Name, p, ttl)
	if err != nil {
		return nil, err
	}
	return &admit.MediaGrant{
		Backend:   admit.MediaLiveKit,
		URL:       b.cfg.URL,
		Room:      room.Name,
		Identity:  p.Identity,
		Token:     tok,
		ExpiresAt: now.Add(ttl),
	}, nil
}

// apiContext returns ctx carrying an Authorization header with a short admin
// token for room's RoomService calls.
func (b *Backend) apiContext(ctx context.Context, room string) (context.Context, error) {
	at := auth.NewAccessToken(b.cfg.APIKey, b.cfg.APISecret).
		SetValidFor(apiTokenTTL).
		SetVideoGrant(&auth.VideoGrant{Room: room, RoomAdmin: true, RoomCreate: true, RoomList: true})
	tok, err := at.ToJWT()
	if err != nil {
		return nil, err
	}
	h := make(http.Header)
	h.Set("Authorization", "Bearer "+tok)
	return twirp.WithHTTPRequestHeaders(ctx, h)
}

// Remove disconnects identity from room with RoomService.RemoveParticipant.
// A participant or room LiveKit does not know is not an error. EMEDIA.
func (b *Backend) Remove(ctx context.Context, room, identity string) error {
	ctx, err := b.apiContext(ctx, room)
	if err != nil {
		return err
	}
	_, err = b.client.RemoveParticipant(ctx, &lkproto.RoomParticipantIdentity{Room: room, Identity: identity})
	return mediaError("remove the participant from", err)
}

// End closes room for everyone with RoomService.DeleteRoom. A room LiveKit
// does not know is not an error. EMEDIA.
func (b *Backend) End(ctx context.Context, room string) error {
	ctx, err := b.apiContext(ctx, room)
	if err != nil {
		return err
	}
	_, err = b.client.DeleteRoom(ctx, &lkproto.DeleteRoomRequest{Room: room})
	return mediaError("close", err)
}

// Presence lists room's participants with RoomService.ListParticipants.
// EMEDIA.
func (b *Backend) Presence(ctx context.Context, room string) ([]admit.MediaPresence, error) {
	ctx, err := b.apiContext(ctx, room)
	if err != nil {
		return nil, err
	}
	res, err := b.client.ListParticipants(ctx, &lkproto.ListParticipantsRequest{Room: room})
	if err := mediaError("list the participants of", err); err != nil {
		return nil, err
	}
	var out []admit.MediaPresence
	for _, p := range res.GetParticipants() {
		mp := admit.MediaPresence{Identity: p.GetIdentity(), Name: p.GetName()}
		if p.GetJoinedAt() > 0 {
			mp.JoinedAt = time.Unix(p.GetJoinedAt(), 0).UTC()
		}
		out = append(out, mp)
	}
	return out, nil
}

// mediaError maps a RoomService error to nil (not found: nothing to do) or
// an EMEDIA error that names what failed, keeping LiveKit's message out of
// the user-facing text.
func mediaError(what string, err error) error {
	if err == nil {
		return nil
	}
	var te twirp.Error
	if errors.As(err, &te) && te.Code() == twirp.NotFound {
		return nil
	}
	return &mediaErr{msg: "The LiveKit server did not " + what + " the room.", cause: err}
}

// mediaErr is an EMEDIA *admit.Error that keeps its cause for the logs.
type mediaErr struct {
	msg   string
	cause error
}

func (e *mediaErr) Error() string { return "livekit: " + e.msg + ": " + e.cause.Error() }
func (e *mediaErr) Unwrap() []error {
	return []error{&admit.Error{Code: admit.EMEDIA, Message: e.msg}, e.cause}
}

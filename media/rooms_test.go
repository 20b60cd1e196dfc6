package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livekit/protocol/auth"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/media"
)

var t0 = time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC)

// memStore is an in-memory media.Store for these tests.
type memStore struct {
	mu       sync.Mutex
	backends map[int64]*admit.StoredMediaBackend
	meetings map[string]*admit.Meeting
	parts    map[int64][]*admit.Participant
	events   map[string]bool
	conns    []*admit.MediaConnection
	users    []*admit.User
}

func newMemStore() *memStore {
	return &memStore{backends: map[int64]*admit.StoredMediaBackend{}, meetings: map[string]*admit.Meeting{},
		parts: map[int64][]*admit.Participant{}, events: map[string]bool{}}
}

func (s *memStore) PutMediaBackend(_ context.Context, b *admit.StoredMediaBackend) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *b
	s.backends[b.AccountID] = &c
	return nil
}

func (s *memStore) FindMediaBackend(_ context.Context, id int64) (*admit.StoredMediaBackend, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.backends[id]; b != nil {
		c := *b
		return &c, nil
	}
	return nil, admit.Errorf(admit.ENOTFOUND, "media backend not found")
}

func (s *memStore) DeleteMediaBackend(_ context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.backends[id] == nil {
		return admit.Errorf(admit.ENOTFOUND, "media backend not found")
	}
	delete(s.backends, id)
	return nil
}

func (s *memStore) RecordMediaEvent(_ context.Context, id, kind string, c *admit.MediaConnection) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.events[id] {
		return false, nil
	}
	s.events[id] = true
	if kind == admit.MediaEventJoined {
		cc := *c
		s.conns = append(s.conns, &cc)
	} else if kind == admit.MediaEventLeft {
		for i := len(s.conns) - 1; i >= 0; i-- {
			if s.conns[i].Identity == c.Identity && s.conns[i].LeftAt == nil {
				s.conns[i].LeftAt = c.LeftAt
				break
			}
		}
	}
	return true, nil
}

func (s *memStore) FindMediaConnections(_ context.Context, pk int64) ([]*admit.MediaConnection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*admit.MediaConnection
	for _, c := range s.conns {
		if c.OccurrencePK == pk {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *memStore) FindMeetingByID(_ context.Context, acct int64, id string) (*admit.Meeting, error) {
	if m := s.meetings[id]; m != nil && m.AccountID == acct {
		return m, nil
	}
	return nil, admit.Errorf(admit.ENOTFOUND, "No such meeting.")
}

func (s *memStore) FindUsers(_ context.Context, acct int64) ([]*admit.User, error) {
	var out []*admit.User
	for _, u := range s.users {
		if u.AccountID == acct {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *memStore) FindParticipants(_ context.Context, pk int64) ([]*admit.Participant, error) {
	return s.parts[pk], nil
}

// recorder wraps a backend and records Remove and End instead of calling
// the media server.
type recorder struct {
	admit.MediaBackend
	mu      sync.Mutex
	removed []string
	ended   []string
}

func (r *recorder) Remove(_ context.Context, room, identity string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.removed = append(r.removed, room+"/"+identity)
	return nil
}

func (r *recorder) End(_ context.Context, room string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended = append(r.ended, room)
	return nil
}

func (r *recorder) ReceiveWebhook(req *http.Request) (*admit.MediaEvent, error) {
	return r.MediaBackend.(media.WebhookReceiver).ReceiveWebhook(req)
}

type fixture struct {
	rooms *media.Rooms
	store *memStore
	rec   *recorder
	m     *admit.Meeting
	o     *admit.Occurrence
	in    *admit.Participant // admitted
	out   *admit.Participant // removed
	wait  *admit.Participant // waiting
	now   time.Time
}

const secret = "0123456789abcdef0123456789abcdef"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ring, err := keys.New(bytes.Repeat([]byte{7}, keys.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: newMemStore(), now: t0.Add(5 * time.Minute), rec: &recorder{}}
	f.rooms = &media.Rooms{Store: f.store, Keys: ring, Now: func() time.Time { return f.now },
		Open: func(cfg admit.MediaConfig, c *http.Client) (admit.MediaBackend, error) {
			b, err := media.Open(cfg, c)
			if err != nil {
				return nil, err
			}
			f.rec.mu.Lock()
			f.rec.MediaBackend = b
			f.rec.mu.Unlock()
			return f.rec, nil
		}}
	f.o = &admit.Occurrence{PK: 11, Index: 2, Start: t0, End: t0.Add(time.Hour), OpensAt: t0.Add(-15 * time.Minute), ClosesAt: t0.Add(90 * time.Minute)}
	f.m = &admit.Meeting{PK: 5, ID: "mtestmeeting", AccountID: 1, Topic: "Weekly", HostID: 3, AlternativeHosts: []int64{4}, Occurrences: []*admit.Occurrence{f.o}}
	f.store.users = []*admit.User{
		{ID: 3, AccountID: 1, Role: admit.RoleHost}, // the meeting's host
		{ID: 4, AccountID: 1, Role: admit.RoleHost}, // its alternative host
		{ID: 5, AccountID: 1, Role: admit.RoleHost}, // another host of the account
		{ID: 6, AccountID: 1, Role: admit.RoleAdmin},
		{ID: 7, AccountID: 2, Role: admit.RoleOwner}, // of another account
	}
	f.store.meetings[f.m.ID] = f.m
	f.in = &admit.Participant{PK: 21, ID: "pin", OccurrencePK: 11, DisplayName: "Ada (2)", State: admit.StateAdmitted}
	f.out = &admit.Participant{PK: 22, ID: "pout", OccurrencePK: 11, DisplayName: "Bob", State: admit.StateRemoved}
	f.wait = &admit.Participant{PK: 23, ID: "pwait", OccurrencePK: 11, DisplayName: "Cy", State: admit.StateWaiting}
	f.store.parts[11] = []*admit.Participant{f.in, f.out, f.wait}
	_, err = f.rooms.Configure(context.Background(), 1, admit.MediaConfig{Kind: admit.MediaLiveKit,
		LiveKit: &admit.LiveKitConfig{URL: "wss://lk.example.org", APIKey: "lkkey", APISecret: secret}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestConfigureSealsTheSecret(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	stored := f.store.backends[1]
	if bytes.Contains(stored.Settings, []byte(secret)) || bytes.Contains(stored.SecretSealed, []byte(secret)) {
		t.Fatal("the secret is stored in the clear")
	}
	cfg, err := f.rooms.Config(ctx, 1)
	if err != nil || cfg.LiveKit.APISecret != secret || cfg.LiveKit.APIKey != "lkkey" {
		t.Fatalf("Config = %+v, %v", cfg, err)
	}
	// A sealed secret moved to another account does not open.
	f.store.backends[2] = &admit.StoredMediaBackend{AccountID: 2, Kind: stored.Kind, Settings: stored.Settings, SecretSealed: stored.SecretSealed}
	if _, err := f.rooms.Config(ctx, 2); err == nil {
		t.Error("account 2 opened account 1's media secret")
	}
	// An empty secret keeps the stored one; the answer shows none.
	shown, err := f.rooms.Configure(ctx, 1, admit.MediaConfig{Kind: admit.MediaLiveKit,
		LiveKit: &admit.LiveKitConfig{URL: "wss://lk2.example.org", APIKey: "lkkey"}, TokenTTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if shown.LiveKit.APISecret != "" {
		t.Error("Configure's answer shows the secret")
	}
	cfg, _ = f.rooms.Config(ctx, 1)
	if cfg.LiveKit.URL != "wss://lk2.example.org" || cfg.LiveKit.APISecret != secret || cfg.TTL() != time.Minute {
		t.Errorf("after update: %+v", cfg.LiveKit)
	}
	// Another kind needs its own secret.
	_, err = f.rooms.Configure(ctx, 1, admit.MediaConfig{Kind: admit.MediaJitsi, Jitsi: &admit.JitsiConfig{Domain: "meet.example.org", AppID: "a"}})
	if admit.ErrorField(err) != "app_secret" {
		t.Errorf("switching kind without a secret: %v", err)
	}
}

func TestGrantsOnlyToAdmitted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	g, err := f.rooms.GrantParticipant(ctx, f.m, f.o, f.in, "")
	if err != nil {
		t.Fatal(err)
	}
	if g.Room != "mtestmeeting-2" || g.Identity != admit.MediaIdentity("pin") || g.Token == "" || g.URL != "wss://lk.example.org" {
		t.Errorf("grant %+v", g)
	}
	for _, p := range []*admit.Participant{f.out, f.wait} {
		if _, err := f.rooms.GrantParticipant(ctx, f.m, f.o, p, ""); admit.ErrorCode(err) != admit.ECONFLICT {
			t.Errorf("%s participant got a grant: %v", p.State, err)
		}
	}
	f.now = f.o.ClosesAt.Add(time.Second)
	if _, err := f.rooms.GrantParticipant(ctx, f.m, f.o, f.in, ""); admit.ErrorCode(err) != admit.ECONFLICT {
		t.Errorf("grant after the window: %v", err)
	}
	if _, err := f.rooms.GrantHost(ctx, f.m, f.o, &admit.User{ID: 3, Name: "Host"}); admit.ErrorCode(err) != admit.ECONFLICT {
		t.Errorf("host grant after the window: %v", err)
	}
	f.now = t0
	h, err := f.rooms.GrantHost(ctx, f.m, f.o, &admit.User{ID: 3, Name: "Host"})
	if err != nil || h.Identity != admit.MediaHostIdentity(3) {
		t.Errorf("host grant %+v, %v", h, err)
	}
	if err := f.rooms.Delete(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rooms.GrantParticipant(ctx, f.m, f.o, f.in, ""); err != media.ErrNoBackend {
		t.Errorf("grant without a backend: %v", err)
	}
}

// hook returns a webhook request as LiveKit signs it.
func hook(t *testing.T, key, sec, body string) *http.Request {
	t.Helper()
	sum := sha256.Sum256([]byte(body))
	tok, err := auth.NewAccessToken(key, sec).SetValidFor(time.Minute).SetSha256(base64.StdEncoding.EncodeToString(sum[:])).ToJWT()
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/hook", strings.NewReader(body))
	req.Header.Set("Authorization", tok)
	req.Header.Set("Content-Type", "application/webhook+json")
	return req
}

func joinedBody(id, event, room, identity string) string {
	return `{"event":"` + event + `","id":"` + id + `","createdAt":"` + "1900000000" + `","room":{"name":"` + room + `"},"participant":{"identity":"` + identity + `","name":"x"}}`
}

func TestWebhookPresenceAndEnforcement(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	room := "mtestmeeting-2"
	take := func(body string) error {
		t.Helper()
		return f.rooms.Webhook(ctx, 1, hook(t, "lkkey", secret, body))
	}
	if err := take(joinedBody("EV_1", "participant_joined", room, admit.MediaIdentity("pin"))); err != nil {
		t.Fatal(err)
	}
	if err := take(joinedBody("EV_1", "participant_joined", room, admit.MediaIdentity("pin"))); err != nil {
		t.Fatal(err)
	}
	if err := take(joinedBody("EV_2", "participant_left", room, admit.MediaIdentity("pin"))); err != nil {
		t.Fatal(err)
	}
	cs, _ := f.rooms.Presence(ctx, f.o)
	if len(cs) != 1 || cs[0].ParticipantPK != f.in.PK || cs[0].LeftAt == nil {
		t.Fatalf("presence %+v", cs)
	}
	if len(f.rec.removed) != 0 {
		t.Errorf("an admitted participant was removed: %v", f.rec.removed)
	}

	// A removed participant (or a waiting one, or someone unknown) who
	// connects with a token they kept is removed again.
	for i, id := range []string{"pout", "pwait", "pnobody"} {
		if err := take(joinedBody("EV_x"+id, "participant_joined", room, admit.MediaIdentity(id))); err != nil {
			t.Fatal(err)
		}
		if len(f.rec.removed) != i+1 || f.rec.removed[i] != room+"/"+admit.MediaIdentity(id) {
			t.Errorf("after %s joined: removed %v", id, f.rec.removed)
		}
	}
	// A host is let be while the occurrence is open.
	n := len(f.rec.removed)
	if err := take(joinedBody("EV_h", "participant_joined", room, admit.MediaHostIdentity(3))); err != nil {
		t.Fatal(err)
	}
	if len(f.rec.removed) != n {
		t.Errorf("the host was removed: %v", f.rec.removed)
	}

	// A room that starts once the occurrence is over is closed.
	if err := take(`{"event":"room_started","id":"EV_r1","room":{"name":"` + room + `"}}`); err != nil {
		t.Fatal(err)
	}
	if len(f.rec.ended) != 0 {
		t.Errorf("an open occurrence's room was closed: %v", f.rec.ended)
	}
	f.now = f.o.ClosesAt.Add(time.Minute)
	if err := take(`{"event":"room_started","id":"EV_r2","room":{"name":"` + room + `"}}`); err != nil {
		t.Fatal(err)
	}
	if len(f.rec.ended) != 1 || f.rec.ended[0] != room {
		t.Errorf("ended %v", f.rec.ended)
	}

	// A forged webhook changes nothing.
	err := f.rooms.Webhook(ctx, 1, hook(t, "lkkey", strings.Repeat("z", 32), joinedBody("EV_f", "participant_joined", room, "x")))
	if admit.ErrorCode(err) != admit.EUNAUTHORIZED {
		t.Errorf("forged webhook: %v", err)
	}
}

// TestWebhookHostsOnlyWhoRunTheMeeting: a host identity that connects is
// let be only when it is a user who may run the meeting now (its host, an
// alternative host, the account's owners and admins): a host token kept
// (LiveKit refreshes the tokens of connected clients) by someone who was
// named alternative host no more, or removed, does not get back in.
func TestWebhookHostsOnlyWhoRunTheMeeting(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	room := "mtestmeeting-2"
	for i, c := range []struct {
		uid  int64
		stay bool
	}{{3, true}, {4, true}, {6, true}, {5, false}, {7, false}, {99, false}} {
		before := len(f.rec.removed)
		id := admit.MediaHostIdentity(c.uid)
		if err := f.rooms.Webhook(ctx, 1, hook(t, "lkkey", secret, joinedBody(fmt.Sprintf("EV_h%d", i), "participant_joined", room, id))); err != nil {
			t.Fatal(err)
		}
		if removed := len(f.rec.removed) > before; removed == c.stay {
			t.Errorf("host identity of user %d connected: removed %v, want removed %v", c.uid, removed, !c.stay)
		}
	}
}

func TestRemovedAndEndedReachTheBackend(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.rooms.Removed(ctx, f.m, f.o, f.out)
	f.rooms.Ended(ctx, f.m, f.o)
	if len(f.rec.removed) != 1 || f.rec.removed[0] != "mtestmeeting-2/"+admit.MediaIdentity("pout") {
		t.Errorf("removed %v", f.rec.removed)
	}
	if len(f.rec.ended) != 1 || f.rec.ended[0] != "mtestmeeting-2" {
		t.Errorf("ended %v", f.rec.ended)
	}
}

package livekit_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
	"github.com/livekit/protocol/auth"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/livekit"
	"github.com/admit-project/admit/livekit/livekittest"
)

func newBackend(t *testing.T, srv *livekittest.Server) *livekit.Backend {
	t.Helper()
	b, err := livekit.New(admit.LiveKitConfig{URL: srv.URL, APIKey: srv.APIKey, APISecret: srv.APISecret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func participant(id, name string) admit.MediaParticipant {
	return admit.MediaParticipant{Identity: admit.MediaIdentity(id), Name: name}
}

// TestTokenFormat checks the claims of a participant's and a host's token
// against LiveKit's format, parsed with LiveKit's own verifier.
func TestTokenFormat(t *testing.T) {
	b, err := livekit.New(admit.LiveKitConfig{URL: "wss://lk.example.org", APIKey: "APIkey1", APISecret: strings.Repeat("s", 32)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	room := admit.MediaRoom{Name: admit.MediaRoomName("mabc", 3)}
	ctx := context.Background()
	g, err := b.Grant(ctx, room, participant("pid1", "Ada (2)"), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if g.Backend != admit.MediaLiveKit || g.URL != "wss://lk.example.org" || g.Room != "mabc-3" || g.Token == "" || g.JoinURL != "" {
		t.Fatalf("grant = %+v", g)
	}
	v, err := auth.ParseAPIToken(g.Token)
	if err != nil {
		t.Fatal(err)
	}
	claims, grants, err := v.Verify(strings.Repeat("s", 32))
	if err != nil {
		t.Fatal(err)
	}
	if claims.Issuer != "APIkey1" || claims.Subject != admit.MediaIdentity("pid1") || grants.Name != "Ada (2)" {
		t.Errorf("iss %q sub %q name %q", claims.Issuer, claims.Subject, grants.Name)
	}
	if exp := claims.ExpiresAt.Time.Sub(claims.NotBefore.Time); exp != time.Minute {
		t.Errorf("token lives %s, want 1m", exp)
	}
	vg := grants.Video
	if !vg.RoomJoin || vg.Room != "mabc-3" || vg.RoomAdmin || vg.RoomCreate || vg.RoomList {
		t.Errorf("participant grant = %+v", vg)
	}
	if !vg.GetCanPublish() || !vg.GetCanSubscribe() || vg.GetCanUpdateOwnMetadata() {
		t.Errorf("participant permissions: publish %v subscribe %v update own metadata %v", vg.GetCanPublish(), vg.GetCanSubscribe(), vg.GetCanUpdateOwnMetadata())
	}
	if strings.Contains(g.Token, "pid1") {
		t.Error("the token carries the participant ID, a bearer credential")
	}

	h, err := b.Start(ctx, room, participant("uhost", "Host"), 0)
	if err != nil {
		t.Fatal(err)
	}
	v, _ = auth.ParseAPIToken(h.Token)
	claims, grants, err = v.Verify(strings.Repeat("s", 32))
	if err != nil {
		t.Fatal(err)
	}
	if !grants.Video.RoomAdmin || !grants.Video.RoomJoin || grants.Video.Room != "mabc-3" {
		t.Errorf("host grant = %+v", grants.Video)
	}
	var md livekit.Metadata
	if err := json.Unmarshal([]byte(grants.Metadata), &md); err != nil || !md.Host {
		t.Errorf("host metadata = %q", grants.Metadata)
	}
	if d := claims.ExpiresAt.Time.Sub(claims.NotBefore.Time); d != admit.DefaultMediaTokenTTL {
		t.Errorf("default token lifetime %s, want %s", d, admit.DefaultMediaTokenTTL)
	}
}

// forged signs a token in LiveKit's format by hand, for the refusals.
func forged(t *testing.T, key, secret, identity, room string, nbf, exp time.Time) string {
	t.Helper()
	claims := gojwt.MapClaims{
		"iss": key, "sub": identity, "nbf": nbf.Unix(), "exp": exp.Unix(),
		"video": map[string]any{"roomJoin": true, "room": room},
	}
	s, err := gojwt.NewWithClaims(gojwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestServerAcceptsAndRefuses runs admit's tokens against a real LiveKit
// server: a token admit issued is accepted; an expired one, one signed with
// another secret or another key are refused; a token for one occurrence's
// room joins that room even when the client asks for the next occurrence's.
func TestServerAcceptsAndRefuses(t *testing.T) {
	srv := livekittest.Start(t, livekittest.Options{})
	b := newBackend(t, srv)
	ctx := context.Background()
	room1 := admit.MediaRoom{Name: admit.MediaRoomName("mroom", 1)}
	room2 := admit.MediaRoomName("mroom", 2)

	g, err := b.Grant(ctx, room1, participant("p1", "Ada"), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := srv.Validate(t, g.Token); code != http.StatusOK {
		t.Fatalf("admit's token refused: %d %s", code, body)
	}

	id := admit.MediaIdentity("p2")
	now := time.Now()
	refused := []struct {
		name  string
		token string
	}{
		// LiveKit allows a minute of clock skew, so expired means earlier.
		{"expired", forged(t, srv.APIKey, srv.APISecret, id, room1.Name, now.Add(-10*time.Minute), now.Add(-2*time.Minute))},
		{"other secret", forged(t, srv.APIKey, strings.Repeat("x", 64), id, room1.Name, now, now.Add(time.Minute))},
		{"other key", forged(t, "otherkey", srv.APISecret, id, room1.Name, now, now.Add(time.Minute))},
		{"not a token", "abc.def.ghi"},
	}
	for _, tt := range refused {
		if code, body := srv.Validate(t, tt.token); code != http.StatusUnauthorized {
			t.Errorf("%s token: %d %s, want 401", tt.name, code, body)
		}
		if sig, err := srv.Dial(tt.token, room1.Name); err == nil {
			sig.Close()
			t.Errorf("%s token connected", tt.name)
		}
	}

	// A token for occurrence 1 never lands in occurrence 2's room.
	sig := srv.Connect(t, g.Token, room2)
	if got := sig.Join.GetRoom().GetName(); got != room1.Name {
		t.Errorf("a token for %s joined %s", room1.Name, got)
	}
	if got := sig.Join.GetParticipant().GetName(); got != "Ada" {
		t.Errorf("name in the room %q, want Ada", got)
	}
}

// TestRemoveEndPresence removes a connected participant and ends a room on
// a real server, and reads presence in between.
func TestRemoveEndPresence(t *testing.T) {
	srv := livekittest.Start(t, livekittest.Options{})
	b := newBackend(t, srv)
	ctx := context.Background()
	room := admit.MediaRoom{Name: admit.MediaRoomName("mrm", 1)}

	host, err := b.Start(ctx, room, participant("uhost", "Host"), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ga, _ := b.Grant(ctx, room, participant("pa", "Ada"), time.Minute)
	gb, _ := b.Grant(ctx, room, participant("pb", "Bob"), time.Minute)
	sh := srv.Connect(t, host.Token, "")
	sa := srv.Connect(t, ga.Token, "")
	sb := srv.Connect(t, gb.Token, "")

	ps, err := b.Presence(ctx, room.Name)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, p := range ps {
		names[p.Identity] = p.Name
	}
	if len(names) != 3 || names[admit.MediaIdentity("pa")] != "Ada" || names[admit.MediaIdentity("pb")] != "Bob" {
		t.Fatalf("presence = %+v", ps)
	}

	if err := b.Remove(ctx, room.Name, admit.MediaIdentity("pa")); err != nil {
		t.Fatal(err)
	}
	if reason, err := sa.WaitClosed(5 * time.Second); err != nil {
		t.Fatalf("removed participant: %v", err)
	} else {
		t.Logf("removed participant left with reason %q", reason)
	}
	ps, err = b.Presence(ctx, room.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Identity == admit.MediaIdentity("pa") {
			t.Errorf("removed participant still present: %+v", ps)
		}
	}
	// Removing someone who is not there is not an error.
	if err := b.Remove(ctx, room.Name, admit.MediaIdentity("nobody")); err != nil {
		t.Errorf("remove of an absent participant: %v", err)
	}

	if err := b.End(ctx, room.Name); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*livekittest.Signal{"host": sh, "Bob": sb} {
		if _, err := s.WaitClosed(5 * time.Second); err != nil {
			t.Errorf("%s after End: %v", name, err)
		}
	}
	if err := b.End(ctx, room.Name); err != nil {
		t.Errorf("ending a closed room: %v", err)
	}
	if err := b.End(ctx, "never-opened"); err != nil {
		t.Errorf("ending a room that never opened: %v", err)
	}
}

// TestRoomServiceRefusesWrongSecret checks that a backend with the wrong
// secret gets an EMEDIA error rather than silence.
func TestRoomServiceRefusesWrongSecret(t *testing.T) {
	srv := livekittest.Start(t, livekittest.Options{})
	b, err := livekit.New(admit.LiveKitConfig{URL: srv.URL, APIKey: srv.APIKey, APISecret: strings.Repeat("w", 32)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.End(context.Background(), "mx-1")
	if admit.ErrorCode(err) != admit.EMEDIA {
		t.Fatalf("End with a wrong secret: %v (code %s), want %s", err, admit.ErrorCode(err), admit.EMEDIA)
	}
	if strings.Contains(admit.ErrorMessage(err), srv.APISecret) {
		t.Error("the message carries the secret")
	}
}

// webhookSink records the webhook requests LiveKit sends.
type webhookSink struct {
	mu   sync.Mutex
	reqs []recorded
	got  chan struct{}
}

type recorded struct {
	header http.Header
	body   []byte
}

func (s *webhookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs = append(s.reqs, recorded{r.Header.Clone(), body})
	s.mu.Unlock()
	select {
	case s.got <- struct{}{}:
	default:
	}
}

// TestWebhook has a real LiveKit server send its webhooks: each verifies
// with the backend and becomes an admit event; a tampered body, another
// key's signature or no signature are refused.
func TestWebhook(t *testing.T) {
	sink := &webhookSink{got: make(chan struct{}, 1)}
	hs := httptest.NewServer(sink)
	t.Cleanup(hs.Close)
	srv := livekittest.Start(t, livekittest.Options{WebhookURL: hs.URL})
	b := newBackend(t, srv)
	ctx := context.Background()
	room := admit.MediaRoom{Name: admit.MediaRoomName("mwh", 1)}
	g, _ := b.Grant(ctx, room, participant("pw", "Wendy"), time.Minute)
	sig := srv.Connect(t, g.Token, "")
	_ = sig

	// Wait for the room_started event the connection causes (LiveKit
	// reports participant_joined only once media flows; the browser test
	// covers that).
	var joined *recorded
	deadline := time.After(20 * time.Second)
	for joined == nil {
		select {
		case <-sink.got:
		case <-deadline:
			t.Fatal("no room_started webhook from LiveKit")
		case <-time.After(200 * time.Millisecond):
		}
		sink.mu.Lock()
		for i := range sink.reqs {
			req := httptest.NewRequest("POST", "/hook", bytes.NewReader(sink.reqs[i].body))
			req.Header = sink.reqs[i].header.Clone()
			ev, err := b.ReceiveWebhook(req)
			if err != nil {
				t.Errorf("a real webhook refused: %v", err)
				continue
			}
			if ev != nil && ev.Kind == admit.MediaEventRoomStarted {
				joined = &sink.reqs[i]
				if ev.Room != room.Name || ev.At.IsZero() || ev.ID == "" {
					t.Errorf("room_started event = %+v", ev)
				}
			}
		}
		sink.mu.Unlock()
	}

	tampered := bytes.Replace(joined.body, []byte(room.Name), []byte("mwh-2"), 1)
	if bytes.Equal(tampered, joined.body) {
		t.Fatal("could not tamper with the body")
	}
	req := httptest.NewRequest("POST", "/hook", bytes.NewReader(tampered))
	req.Header = joined.header.Clone()
	if _, err := b.ReceiveWebhook(req); admit.ErrorCode(err) != admit.EUNAUTHORIZED {
		t.Errorf("tampered body: %v, want %s", err, admit.EUNAUTHORIZED)
	}

	req = httptest.NewRequest("POST", "/hook", bytes.NewReader(joined.body))
	if _, err := b.ReceiveWebhook(req); admit.ErrorCode(err) != admit.EUNAUTHORIZED {
		t.Errorf("unsigned body: %v, want %s", err, admit.EUNAUTHORIZED)
	}

	// Signed with another key pair, body digest right.
	sum := sha256.Sum256(joined.body)
	at := auth.NewAccessToken("otherkey", strings.Repeat("o", 32)).SetValidFor(time.Minute).SetSha256(base64.StdEncoding.EncodeToString(sum[:]))
	tok, err := at.ToJWT()
	if err != nil {
		t.Fatal(err)
	}
	req = httptest.NewRequest("POST", "/hook", bytes.NewReader(joined.body))
	req.Header.Set("Authorization", tok)
	if _, err := b.ReceiveWebhook(req); admit.ErrorCode(err) != admit.EUNAUTHORIZED {
		t.Errorf("another key's signature: %v, want %s", err, admit.EUNAUTHORIZED)
	}
}

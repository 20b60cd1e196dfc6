package jitsi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/jitsi"
)

var fixedNow = time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC)

func newBackend(t *testing.T, cfg admit.JitsiConfig) *jitsi.Backend {
	t.Helper()
	b, err := jitsi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b.Now = func() time.Time { return fixedNow }
	return b
}

// payload decodes a JWT's claims without verifying it, to compare them with
// the format prosody's token plugin documents.
func payload(t *testing.T, tok string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", tok)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}

func TestParticipantToken(t *testing.T) {
	secret := strings.Repeat("k", 32)
	b := newBackend(t, admit.JitsiConfig{Domain: "meet.example.org", AppID: "admit-app", AppSecret: secret})
	room := admit.MediaRoom{Name: admit.MediaRoomName("mabc", 2)}
	p := admit.MediaParticipant{Identity: admit.MediaIdentity("pid"), Name: "Ada (2)", Email: "ada@example.org"}
	g, err := b.Grant(context.Background(), room, p, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	header, c := payload(t, g.Token)
	if header["alg"] != "HS256" || header["typ"] != "JWT" {
		t.Errorf("header = %v", header)
	}
	want := map[string]any{
		"iss": "admit-app", "aud": []any{"jitsi"}, "sub": "meet.example.org", "room": "mabc-2",
		"exp": float64(fixedNow.Add(time.Minute).Unix()), "nbf": float64(fixedNow.Add(-10 * time.Second).Unix()),
	}
	for k, v := range want {
		got, _ := json.Marshal(c[k])
		wantJSON, _ := json.Marshal(v)
		if string(got) != string(wantJSON) {
			t.Errorf("claim %s = %s, want %s", k, got, wantJSON)
		}
	}
	user, _ := c["context"].(map[string]any)["user"].(map[string]any)
	if user["id"] != admit.MediaIdentity("pid") || user["name"] != "Ada (2)" || user["email"] != "ada@example.org" {
		t.Errorf("context.user = %v", user)
	}
	if _, ok := user["moderator"]; ok {
		t.Errorf("a participant is a moderator: %v", user)
	}
	if _, ok := c["moderator"]; ok {
		t.Errorf("a participant is a moderator: %v", c)
	}
	if g.URL != "https://meet.example.org/mabc-2" || g.JoinURL != "https://meet.example.org/mabc-2?jwt="+g.Token {
		t.Errorf("url %q join url %q", g.URL, g.JoinURL)
	}
	if !g.ExpiresAt.Equal(fixedNow.Add(time.Minute)) || g.Backend != admit.MediaJitsi {
		t.Errorf("grant = %+v", g)
	}
	if strings.Contains(g.Token, "pid\"") {
		t.Error("the token carries the participant ID")
	}
}

func TestHostIsModeratorAndTenant(t *testing.T) {
	b := newBackend(t, admit.JitsiConfig{Domain: "8x8.vc", AppID: "vpaas-magic-cookie-1", AppSecret: strings.Repeat("k", 32), Tenant: "vpaas-magic-cookie-1"})
	g, err := b.Start(context.Background(), admit.MediaRoom{Name: "mXyZ-1"}, admit.MediaParticipant{Identity: "uhost", Name: "Host"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, c := payload(t, g.Token)
	if c["moderator"] != true || c["context"].(map[string]any)["user"].(map[string]any)["moderator"] != true {
		t.Errorf("host claims = %v", c)
	}
	if c["sub"] != "vpaas-magic-cookie-1" || c["room"] != "mxyz-1" {
		t.Errorf("sub %v room %v", c["sub"], c["room"])
	}
	u, err := url.Parse(g.JoinURL)
	if err != nil || u.Host != "8x8.vc" || u.Path != "/vpaas-magic-cookie-1/mxyz-1" || u.Query().Get("jwt") != g.Token {
		t.Errorf("join url %q", g.JoinURL)
	}
	if d := g.ExpiresAt.Sub(fixedNow); d != admit.DefaultMediaTokenTTL {
		t.Errorf("default lifetime %s", d)
	}
}

// TestVerifyAsProsody checks what prosody's plugin would refuse: another
// secret, an expired token, another audience.
func TestVerifyAsProsody(t *testing.T) {
	cfg := admit.JitsiConfig{Domain: "meet.example.org", AppID: "admit-app", AppSecret: strings.Repeat("k", 32)}
	b := newBackend(t, cfg)
	g, err := b.Grant(context.Background(), admit.MediaRoom{Name: "m-1"}, admit.MediaParticipant{Identity: "p", Name: "P"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := b.Verify(g.Token, fixedNow); err != nil || c.Room != "m-1" {
		t.Fatalf("own token: %v %+v", err, c)
	}
	if _, err := b.Verify(g.Token, fixedNow.Add(2*time.Minute)); err == nil {
		t.Error("expired token accepted")
	}
	other := cfg
	other.AppSecret = strings.Repeat("o", 32)
	if _, err := newBackend(t, other).Verify(g.Token, fixedNow); err == nil {
		t.Error("token accepted with another secret")
	}
	other = cfg
	other.Audience = "other"
	if _, err := newBackend(t, other).Verify(g.Token, fixedNow); err == nil {
		t.Error("token accepted for another audience")
	}
}

func TestUnsupported(t *testing.T) {
	b := newBackend(t, admit.JitsiConfig{Domain: "meet.example.org", AppID: "a", AppSecret: strings.Repeat("k", 32)})
	ctx := context.Background()
	if err := b.Remove(ctx, "m-1", "p"); admit.ErrorCode(err) != admit.EUNSUPPORTED {
		t.Errorf("Remove: %v", err)
	}
	if err := b.End(ctx, "m-1"); admit.ErrorCode(err) != admit.EUNSUPPORTED {
		t.Errorf("End: %v", err)
	}
	if _, err := b.Presence(ctx, "m-1"); admit.ErrorCode(err) != admit.EUNSUPPORTED {
		t.Errorf("Presence: %v", err)
	}
}

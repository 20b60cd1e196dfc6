package admit_test

import (
	"strings"
	"testing"

	"github.com/admit-project/admit"
)

func TestMediaRoomNamePerOccurrence(t *testing.T) {
	a, b := admit.MediaRoomName("mabc", 1), admit.MediaRoomName("mabc", 2)
	if a == b {
		t.Fatalf("occurrences 1 and 2 share room %q", a)
	}
	if admit.MediaRoomName("mabc", 12) == admit.MediaRoomName("mabc1", 2) {
		t.Error("room names of different meetings collide")
	}
}

func TestMediaIdentityHidesParticipantID(t *testing.T) {
	id := "pSecretParticipantID"
	got := admit.MediaIdentity(id)
	if strings.Contains(got, id) || got == admit.MediaIdentity("pOther") || got != admit.MediaIdentity(id) {
		t.Errorf("MediaIdentity(%q) = %q", id, got)
	}
}

type mediaConfigTest struct {
	name  string
	cfg   admit.MediaConfig
	field string // "" when valid
}

var secret32 = strings.Repeat("s", 32)

var mediaConfigTests = []mediaConfigTest{
	{"livekit", admit.MediaConfig{Kind: admit.MediaLiveKit, LiveKit: &admit.LiveKitConfig{URL: "wss://lk.example.org", APIKey: "APIk", APISecret: secret32}}, ""},
	{"livekit http", admit.MediaConfig{Kind: admit.MediaLiveKit, LiveKit: &admit.LiveKitConfig{URL: "http://127.0.0.1:7880", APIKey: "APIk", APISecret: secret32}}, ""},
	{"livekit missing", admit.MediaConfig{Kind: admit.MediaLiveKit}, "livekit"},
	{"livekit bad url", admit.MediaConfig{Kind: admit.MediaLiveKit, LiveKit: &admit.LiveKitConfig{URL: "ftp://x", APIKey: "k", APISecret: secret32}}, "url"},
	{"livekit url with user", admit.MediaConfig{Kind: admit.MediaLiveKit, LiveKit: &admit.LiveKitConfig{URL: "wss://u:p@x", APIKey: "k", APISecret: secret32}}, "url"},
	{"livekit no key", admit.MediaConfig{Kind: admit.MediaLiveKit, LiveKit: &admit.LiveKitConfig{URL: "wss://x", APISecret: secret32}}, "api_key"},
	{"livekit no secret", admit.MediaConfig{Kind: admit.MediaLiveKit, LiveKit: &admit.LiveKitConfig{URL: "wss://x", APIKey: "k"}}, "api_secret"},
	{"jitsi", admit.MediaConfig{Kind: admit.MediaJitsi, Jitsi: &admit.JitsiConfig{Domain: "meet.example.org", AppID: "admit", AppSecret: secret32}}, ""},
	{"jitsi domain with path", admit.MediaConfig{Kind: admit.MediaJitsi, Jitsi: &admit.JitsiConfig{Domain: "meet.example.org/x", AppID: "admit", AppSecret: secret32}}, "domain"},
	{"jitsi short secret", admit.MediaConfig{Kind: admit.MediaJitsi, Jitsi: &admit.JitsiConfig{Domain: "meet.example.org", AppID: "admit", AppSecret: "short"}}, "app_secret"},
	{"jitsi tenant", admit.MediaConfig{Kind: admit.MediaJitsi, Jitsi: &admit.JitsiConfig{Domain: "meet.example.org", AppID: "admit", AppSecret: secret32, Tenant: "a/b"}}, "tenant"},
	{"bbb", admit.MediaConfig{Kind: admit.MediaBigBlueButton, BigBlueButton: &admit.BigBlueButtonConfig{APIURL: "https://bbb.example.org/bigbluebutton/api", Secret: secret32}}, ""},
	{"bbb sha512", admit.MediaConfig{Kind: admit.MediaBigBlueButton, BigBlueButton: &admit.BigBlueButtonConfig{APIURL: "https://bbb.example.org/bigbluebutton/api", Secret: secret32, Checksum: "sha512"}}, ""},
	{"bbb md5", admit.MediaConfig{Kind: admit.MediaBigBlueButton, BigBlueButton: &admit.BigBlueButtonConfig{APIURL: "https://bbb.example.org/bigbluebutton/api", Secret: secret32, Checksum: "md5"}}, "checksum"},
	{"unknown kind", admit.MediaConfig{Kind: "zoom"}, "backend"},
	{"ttl too long", admit.MediaConfig{Kind: admit.MediaJitsi, TokenTTL: admit.MaxMediaTokenTTL + 1}, "token_ttl"},
}

func TestMediaConfigValidate(t *testing.T) {
	for _, tt := range mediaConfigTests {
		err := tt.cfg.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v, want valid", tt.name, err)
			}
			continue
		}
		if admit.ErrorCode(err) != admit.EINVALID || admit.ErrorField(err) != tt.field {
			t.Errorf("%s: %v, want %s on field %q", tt.name, err, admit.EINVALID, tt.field)
		}
	}
}

func TestParseMediaRoomName(t *testing.T) {
	id, n, ok := admit.ParseMediaRoomName(admit.MediaRoomName("mabc", 12))
	if !ok || id != "mabc" || n != 12 {
		t.Errorf("round trip: %q %d %v", id, n, ok)
	}
	for _, bad := range []string{"", "mabc", "mabc-", "-3", "mabc-0", "mabc-03", "mabc-x"} {
		if _, _, ok := admit.ParseMediaRoomName(bad); ok {
			t.Errorf("ParseMediaRoomName(%q) ok", bad)
		}
	}
	if h := admit.MediaHostIdentity(7); h[0] != 'h' || h == admit.MediaHostIdentity(8) {
		t.Errorf("host identity %q", h)
	}
}

package media_test

import (
	"strings"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/media"
)

func TestOpen(t *testing.T) {
	s := strings.Repeat("s", 32)
	configs := []admit.MediaConfig{
		{Kind: admit.MediaLiveKit, LiveKit: &admit.LiveKitConfig{URL: "wss://lk.example.org", APIKey: "k", APISecret: s}},
		{Kind: admit.MediaJitsi, Jitsi: &admit.JitsiConfig{Domain: "meet.example.org", AppID: "a", AppSecret: s}},
		{Kind: admit.MediaBigBlueButton, BigBlueButton: &admit.BigBlueButtonConfig{APIURL: "https://bbb.example.org/bigbluebutton/api/", Secret: s}},
	}
	for _, cfg := range configs {
		b, err := media.Open(cfg, nil)
		if err != nil {
			t.Fatalf("%s: %v", cfg.Kind, err)
		}
		if b.Kind() != cfg.Kind {
			t.Errorf("Open(%s) is a %s backend", cfg.Kind, b.Kind())
		}
		_, hooks := b.(media.WebhookReceiver)
		if hooks != (cfg.Kind == admit.MediaLiveKit) {
			t.Errorf("%s: webhook receiver %v", cfg.Kind, hooks)
		}
	}
	if _, err := media.Open(admit.MediaConfig{Kind: "zoom"}, nil); admit.ErrorCode(err) != admit.EINVALID {
		t.Errorf("unknown kind: %v", err)
	}
}

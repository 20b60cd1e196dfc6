package livekit_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/livekit"
)

// FuzzReceiveWebhook: whatever body and Authorization header arrive, the
// receiver does not panic and accepts nothing it did not sign.
func FuzzReceiveWebhook(f *testing.F) {
	f.Add(`{"event":"participant_joined","room":{"name":"m-1"}}`, "")
	f.Add(`{}`, "Bearer abc")
	f.Add(``, "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJrIn0.x")
	b, err := livekit.New(admit.LiveKitConfig{URL: "wss://lk.example.org", APIKey: "k", APISecret: strings.Repeat("s", 32)}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body, authz string) {
		req := httptest.NewRequest("POST", "/hook", strings.NewReader(body))
		req.Header.Set("Authorization", authz)
		ev, err := b.ReceiveWebhook(req)
		if err == nil {
			t.Fatalf("accepted an unsigned webhook: %+v", ev)
		}
	})
}

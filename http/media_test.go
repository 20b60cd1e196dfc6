package http_test

import (
	"crypto/sha256"
	"encoding/base64"
	"testing"
	"time"

	"github.com/livekit/protocol/auth"
)

// livekitWebhookAuth returns the Authorization header LiveKit sends with a
// webhook body: a token signed with key and secret carrying the body's
// SHA-256.
func livekitWebhookAuth(t *testing.T, key, secret, body string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(body))
	tok, err := auth.NewAccessToken(key, secret).SetValidFor(time.Minute).SetSha256(base64.StdEncoding.EncodeToString(sum[:])).ToJWT()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

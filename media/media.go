package media

import (
	"net/http"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/bbb"
	"github.com/admit-project/admit/jitsi"
	"github.com/admit-project/admit/livekit"
)

// WebhookReceiver is admit.MediaWebhookReceiver.
type WebhookReceiver = admit.MediaWebhookReceiver

// Open returns the backend cfg describes. httpClient nil means each
// backend's default client. EINVALID when cfg is not valid.
func Open(cfg admit.MediaConfig, httpClient *http.Client) (admit.MediaBackend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch cfg.Kind {
	case admit.MediaLiveKit:
		return livekit.New(*cfg.LiveKit, httpClient)
	case admit.MediaJitsi:
		return jitsi.New(*cfg.Jitsi)
	case admit.MediaBigBlueButton:
		return bbb.New(*cfg.BigBlueButton, httpClient)
	}
	return nil, admit.FieldErrorf("backend", "The media backend is one of livekit, jitsi, bbb.")
}

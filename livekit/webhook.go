package livekit

import (
	"net/http"
	"time"

	"github.com/livekit/protocol/auth"
	lkproto "github.com/livekit/protocol/livekit"
	"github.com/livekit/protocol/webhook"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/admit-project/admit"
)

// MaxWebhookBody bounds the size of a webhook body admit reads.
const MaxWebhookBody = 1 << 20

// ReceiveWebhook reads and verifies a LiveKit webhook: its Authorization
// header must be a token signed with this backend's API key and secret whose
// sha256 claim is the digest of the body. It returns the event as admit sees
// it, or nil with no error for an event admit does not use. EUNAUTHORIZED
// when the signature or the body's digest does not match; EINVALID for a
// body that is not a webhook event.
func (b *Backend) ReceiveWebhook(r *http.Request) (*admit.MediaEvent, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, MaxWebhookBody)
	data, err := webhook.Receive(r, auth.NewSimpleKeyProvider(b.cfg.APIKey, b.cfg.APISecret))
	if err != nil {
		return nil, admit.Errorf(admit.EUNAUTHORIZED, "The webhook is not signed with this account's LiveKit key, or its body was changed.")
	}
	var ev lkproto.WebhookEvent
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &ev); err != nil {
		return nil, admit.Errorf(admit.EINVALID, "The webhook's body is not a LiveKit event.")
	}
	out := &admit.MediaEvent{ID: ev.GetId(), Room: ev.GetRoom().GetName()}
	if ev.GetCreatedAt() > 0 {
		out.At = time.Unix(ev.GetCreatedAt(), 0).UTC()
	}
	switch ev.GetEvent() {
	case webhook.EventParticipantJoined:
		out.Kind = admit.MediaEventJoined
	case webhook.EventParticipantLeft, webhook.EventParticipantConnectionAborted:
		out.Kind = admit.MediaEventLeft
	case webhook.EventRoomStarted:
		out.Kind = admit.MediaEventRoomStarted
	case webhook.EventRoomFinished:
		out.Kind = admit.MediaEventRoomFinished
	default:
		return nil, nil
	}
	if p := ev.GetParticipant(); p != nil {
		out.Identity = p.GetIdentity()
		out.Name = p.GetName()
	}
	return out, nil
}

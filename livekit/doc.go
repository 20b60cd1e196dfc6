// Package livekit connects admit to a LiveKit server: it implements
// admit.MediaBackend with access tokens in LiveKit's own format (built with
// github.com/livekit/protocol/auth), RoomService calls over Twirp
// (RemoveParticipant, DeleteRoom, ListParticipants) and the verification of
// LiveKit's signed webhooks (github.com/livekit/protocol/webhook).
//
// It may import the standard library, the admit domain package and
// github.com/livekit/protocol; nothing else of admit. Its test helpers, which
// start a real livekit-server, are in package livekittest.
package livekit

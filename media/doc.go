// Package media is admit's media side: Open makes an account's media
// backend from its configuration (it is the one place that knows every
// backend package: livekit, jitsi, bbb), and Rooms keeps each account's
// backend with its secret sealed, issues grants to admitted participants
// and hosts only, carries removal and ending to the media server at once,
// and takes the media server's webhooks into presence while enforcing
// admission (whoever connects without being admitted is removed again).
// The application and the edges depend on it and on the admit.MediaBackend
// interface only.
//
// It may import the standard library, the admit domain package and the
// backend packages livekit, jitsi and bbb.
package media

// Package media opens an account's media backend from its configuration:
// it is the one place that knows every backend package (livekit, jitsi,
// bbb), so that the application and the edges depend on the
// admit.MediaBackend interface only.
//
// It may import the standard library, the admit domain package and the
// backend packages livekit, jitsi and bbb.
package media

// Package jitsi connects admit to a Jitsi Meet deployment that authenticates
// with prosody's token plugin (mod_auth_token): it implements
// admit.MediaBackend by signing HS256 tokens in that plugin's format (iss the
// app ID, aud, sub the domain or tenant, room, context.user, moderator for
// the host) and giving out the page URL https://DOMAIN/[TENANT/]ROOM?jwt=….
//
// Jitsi Meet has no server API to remove a participant, end a room or list
// who is connected: Remove, End and Presence return EUNSUPPORTED, and
// admission rests on the tokens' short lifetime.
//
// It may import the standard library, the admit domain package and
// github.com/golang-jwt/jwt/v5.
package jitsi

// Package oidctest holds test helpers for OpenID Connect sign-in: it starts
// the real example provider that .ci/tools builds (oidc-provider, from
// github.com/zitadel/oidc/v3/example/server), drives its login form like a
// browser, and runs a minimal in-process signer for the tokens a real
// provider will not issue on request (expired, for another audience,
// forged, with email_verified false).
//
// It may import the standard library and github.com/go-jose/go-jose/v4
// (already required by go-oidc); tests only.
package oidctest

// Package oidc signs people in with an account's OpenID Connect identity
// provider: discovery, the Authorization Code flow with PKCE (S256), a
// `state` bound to the browser by a sealed, short-lived, single-use cookie,
// a `nonce` checked here (go-oidc does not), and the ID token verified for
// signature (with key rotation through the provider's remote key set),
// issuer, audience and expiry. It requires a verified email and hands the
// application an admit.VerifiedIdentity; every refusal is an
// *admit.SignInError whose reason goes to the audit trail while the person
// sees one generic refusal. It also builds the provider's RP-initiated
// logout URL when the discovery document offers an end_session_endpoint.
//
// It may import the standard library, the admit domain package,
// github.com/coreos/go-oidc/v3 and golang.org/x/oauth2. Package oidctest
// holds the test helpers: a real provider and a browser-like login driver.
package oidc

// Package jwt signs admission tokens for the media side (LiveKit, Jitsi,
// BigBlueButton or a SIP bridge) as HS256 JSON Web Tokens, with
// github.com/golang-jwt/jwt/v5. It implements admit.AdmissionSigner.
package jwt

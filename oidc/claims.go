package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/admit-project/admit"
)

// identity builds the verified identity from the ID token's claims, filling
// the ones it lacks (email, email_verified, name, the role claim) from the
// userinfo endpoint, whose subject must be the ID token's. It requires a
// valid email with email_verified true.
func (rp *RelyingParty) identity(ctx context.Context, idt *gooidc.IDToken, tok *oauth2.Token) (*admit.VerifiedIdentity, error) {
	var claims map[string]json.RawMessage
	if err := idt.Claims(&claims); err != nil {
		return nil, refuse(admit.SignInInvalidToken, err)
	}
	id := &admit.VerifiedIdentity{Issuer: idt.Issuer, Subject: idt.Subject}
	merge := func(c map[string]json.RawMessage) {
		if id.Email == "" {
			id.Email = stringClaim(c["email"])
			if id.Email != "" {
				id.EmailVerified = boolClaim(c["email_verified"])
			}
		}
		if id.Name == "" {
			id.Name = displayName(c)
		}
		if rp.cfg.RoleClaim != "" && id.RoleValues == nil {
			id.RoleValues = listClaim(c[rp.cfg.RoleClaim])
		}
	}
	merge(claims)
	if (id.Email == "" || id.Name == "" || (rp.cfg.RoleClaim != "" && id.RoleValues == nil)) &&
		rp.provider.UserInfoEndpoint() != "" && tok.AccessToken != "" {
		ui, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return nil, refuse(admit.SignInProviderDown, fmt.Errorf("userinfo: %w", err))
		}
		if ui.Subject != idt.Subject {
			return nil, refuse(admit.SignInSubjectMismatch, fmt.Errorf("userinfo sub %q, ID token sub %q", ui.Subject, idt.Subject))
		}
		var uc map[string]json.RawMessage
		if err := ui.Claims(&uc); err != nil {
			return nil, refuse(admit.SignInInvalidToken, fmt.Errorf("userinfo: %w", err))
		}
		merge(uc)
	}
	email, err := admit.ValidateEmail("email", id.Email, false)
	if err != nil {
		return nil, refuse(admit.SignInEmailMissing, errors.New("no valid email claim"))
	}
	id.Email = email
	if !id.EmailVerified {
		return nil, refuse(admit.SignInEmailUnverified, fmt.Errorf("email_verified is not true for subject %q", id.Subject))
	}
	return id, nil
}

func stringClaim(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// boolClaim reads a boolean claim; some providers send "true" as a string.
func boolClaim(raw json.RawMessage) bool {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b
	}
	var s string
	return json.Unmarshal(raw, &s) == nil && s == "true"
}

// listClaim reads a claim of strings: an array (non-strings skipped) or a
// single string. It returns an empty, non-nil slice when the claim is
// present but holds none, and nil when it is absent.
func listClaim(raw json.RawMessage) []string {
	if raw == nil {
		return nil
	}
	var list []any
	if json.Unmarshal(raw, &list) == nil {
		out := []string{}
		for _, v := range list {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	if s := stringClaim(raw); s != "" {
		return []string{s}
	}
	return []string{}
}

// displayName is the "name" claim, else given and family name, else the
// preferred username.
func displayName(c map[string]json.RawMessage) string {
	if n := stringClaim(c["name"]); n != "" {
		return n
	}
	n := strings.TrimSpace(stringClaim(c["given_name"]) + " " + stringClaim(c["family_name"]))
	if n != "" {
		return n
	}
	return stringClaim(c["preferred_username"])
}

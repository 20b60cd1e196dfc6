package admit

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Limits on an identity provider's settings.
const (
	MaxProviderNameLength  = 60
	MaxClientIDLength      = 255
	MaxClientSecretLength  = 1024
	MaxAllowedDomains      = 50
	MaxRoleMappings        = 100
	MaxRoleClaimLength     = 64
	MaxRoleClaimValueBytes = 255
)

// IdentityProvider is an account's OpenID Connect identity provider: where
// its hosts sign in, who of the provider's people may, and with which role.
// An account has at most one.
type IdentityProvider struct {
	AccountID int64 `json:"account_id"`
	// Name is shown on the sign-in page as "Sign in with <Name>".
	Name string `json:"name"`
	// Issuer is the provider's issuer URL; its discovery document is at
	// Issuer + "/.well-known/openid-configuration".
	Issuer   string `json:"issuer"`
	ClientID string `json:"client_id"`
	// ClientSecret is held in plaintext in memory only: stores keep it
	// sealed, and it never goes out in JSON. Empty for a public client
	// (PKCE only).
	ClientSecret string `json:"-"`
	// AllowedDomains are the email domains (lower case, exact match) whose
	// people may sign in. At least one is required: a provider vouches
	// for far more people than an organisation's own.
	AllowedDomains []string `json:"allowed_domains"`
	// RoleClaim names the ID token or userinfo claim (e.g. "groups") whose
	// values RoleMappings map to roles; empty gives everyone DefaultRole.
	RoleClaim    string        `json:"role_claim"`
	RoleMappings []RoleMapping `json:"role_mappings"`
	// DefaultRole is the role of an allowed person no mapping matches; empty
	// refuses such a person.
	DefaultRole Role `json:"default_role"`
	// SSOOnly turns password sign-in off for everyone but the account's
	// owner, whose password stays as the break-glass way in.
	SSOOnly   bool      `json:"sso_only"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RoleMapping gives the people whose role claim holds Value the role Role.
type RoleMapping struct {
	Value string `json:"value"`
	Role  Role   `json:"role"`
}

// Validate checks and normalises p: trims the name, lower-cases and sorts
// the domains, drops duplicates. It returns EINVALID naming the field.
func (p *IdentityProvider) Validate() error {
	name, err := ValidateName("name", p.Name)
	if err != nil {
		return err
	}
	if len(name) > MaxProviderNameLength {
		return FieldErrorf("name", "name may have at most %d characters", MaxProviderNameLength)
	}
	p.Name = name
	issuer, err := ValidateIssuer("issuer", p.Issuer)
	if err != nil {
		return err
	}
	p.Issuer = issuer
	p.ClientID = strings.TrimSpace(p.ClientID)
	if p.ClientID == "" {
		return FieldErrorf("client_id", "client_id is required")
	}
	if len(p.ClientID) > MaxClientIDLength || hasControl(p.ClientID) {
		return FieldErrorf("client_id", "client_id must be at most %d printable characters", MaxClientIDLength)
	}
	if len(p.ClientSecret) > MaxClientSecretLength || hasControl(p.ClientSecret) {
		return FieldErrorf("client_secret", "client_secret must be at most %d printable characters", MaxClientSecretLength)
	}
	if len(p.AllowedDomains) == 0 {
		return FieldErrorf("allowed_domains", "allowed_domains needs at least one email domain")
	}
	if len(p.AllowedDomains) > MaxAllowedDomains {
		return FieldErrorf("allowed_domains", "allowed_domains may hold at most %d domains", MaxAllowedDomains)
	}
	domains := make([]string, 0, len(p.AllowedDomains))
	for i, d := range p.AllowedDomains {
		d, err := ValidateEmailDomain(fmt.Sprintf("allowed_domains[%d]", i), d)
		if err != nil {
			return err
		}
		domains = append(domains, d)
	}
	slices.Sort(domains)
	p.AllowedDomains = slices.Compact(domains)
	p.RoleClaim = strings.TrimSpace(p.RoleClaim)
	if len(p.RoleClaim) > MaxRoleClaimLength || strings.ContainsFunc(p.RoleClaim, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return FieldErrorf("role_claim", "role_claim must be a claim name of at most %d characters without spaces", MaxRoleClaimLength)
	}
	if len(p.RoleMappings) > MaxRoleMappings {
		return FieldErrorf("role_mappings", "role_mappings may hold at most %d mappings", MaxRoleMappings)
	}
	if len(p.RoleMappings) > 0 && p.RoleClaim == "" {
		return FieldErrorf("role_claim", "role_claim is required when role_mappings are given")
	}
	for i := range p.RoleMappings {
		m := &p.RoleMappings[i]
		field := fmt.Sprintf("role_mappings[%d]", i)
		m.Value = strings.TrimSpace(m.Value)
		if m.Value == "" || len(m.Value) > MaxRoleClaimValueBytes || hasControl(m.Value) {
			return FieldErrorf(field+".value", "%s.value must be 1 to %d printable characters", field, MaxRoleClaimValueBytes)
		}
		if !m.Role.mappable() {
			return FieldErrorf(field+".role", "%s.role must be admin or host: the provider cannot make an owner", field)
		}
	}
	if p.DefaultRole != "" && !p.DefaultRole.mappable() {
		return FieldErrorf("default_role", "default_role must be admin, host or empty (refuse people no mapping matches)")
	}
	return nil
}

// mappable reports whether a provider's claims may give role r. The owner
// is never made by a provider: that role is the account's break-glass.
func (r Role) mappable() bool { return r == RoleAdmin || r == RoleHost }

// ValidateIssuer checks an OpenID Connect issuer URL: absolute, https (http
// only on a loopback host, for a local provider), without query or fragment.
// It returns the URL trimmed of spaces and otherwise as given: an ID token's
// "iss" must equal it exactly, trailing slash included.
func ValidateIssuer(field, issuer string) (string, error) {
	issuer = strings.TrimSpace(issuer)
	if issuer == "" {
		return "", FieldErrorf(field, "%s is required", field)
	}
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || len(issuer) > 2048 {
		return "", FieldErrorf(field, "%s must be an absolute URL without query or fragment", field)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return "", FieldErrorf(field, "%s must use https (http only on localhost)", field)
		}
	default:
		return "", FieldErrorf(field, "%s must use https", field)
	}
	return issuer, nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ValidateEmailDomain checks and lower-cases an email domain such as
// "example.com" (no "@", at least one dot, DNS labels only).
func ValidateEmailDomain(field, domain string) (string, error) {
	domain = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(domain), "@")))
	bad := FieldErrorf(field, "%s must be an email domain such as example.com", field)
	if len(domain) == 0 || len(domain) > 253 || !strings.Contains(domain, ".") {
		return "", bad
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", bad
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return "", bad
			}
		}
	}
	return domain, nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// AllowsDomain reports whether email's domain is one of p's allowed domains.
func (p *IdentityProvider) AllowsDomain(email string) bool {
	at := strings.LastIndexByte(email, '@')
	if at < 1 {
		return false
	}
	return slices.Contains(p.AllowedDomains, strings.ToLower(email[at+1:]))
}

// MappedRole returns the role the claim values give: the most privileged
// mapping that matches (admin before host), else DefaultRole (which may be
// empty: no role).
func (p *IdentityProvider) MappedRole(values []string) Role {
	best := Role("")
	for _, m := range p.RoleMappings {
		if !slices.Contains(values, m.Value) {
			continue
		}
		if m.Role == RoleAdmin {
			return RoleAdmin
		}
		best = m.Role
	}
	if best != "" {
		return best
	}
	return p.DefaultRole
}

// AllowsPassword reports whether u may sign in with a password under the
// account's provider p (nil when the account has none): always, unless p is
// "SSO only", which leaves only the owner's password as the break-glass.
func (p *IdentityProvider) AllowsPassword(u *User) bool {
	return p == nil || !p.SSOOnly || u.Role == RoleOwner
}

// VerifiedIdentity is what an identity provider vouched for in a sign-in
// whose ID token was verified: its issuer, the person's stable subject, the
// email with its verified flag, the name and the values of the provider's
// role claim.
type VerifiedIdentity struct {
	Issuer        string   `json:"issuer"`
	Subject       string   `json:"subject"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Name          string   `json:"name"`
	RoleValues    []string `json:"role_values,omitempty"`
}

// ExternalIdentity links a user to the subject of an identity provider.
type ExternalIdentity struct {
	UserID  int64
	Issuer  string
	Subject string
}

// ProvisionAction is what a sign-in does to the user it signs in.
type ProvisionAction string

// Provision actions.
const (
	ProvisionCreate ProvisionAction = "create" // first sign-in: a new user
	ProvisionUpdate ProvisionAction = "update" // name, email or role changed, or the link is new
	ProvisionKeep   ProvisionAction = "keep"   // nothing to change
)

// Provisioning is the decision for one sign-in with a provider.
type Provisioning struct {
	Action ProvisionAction
	Email  string
	Name   string
	Role   Role
	// PreviousRole is the user's role before (empty on create); the role
	// changed when it differs from Role.
	PreviousRole Role
	NameChanged  bool
	EmailChanged bool
	// Link is true when the user is not yet linked to the identity's
	// subject and must be.
	Link bool
}

// RoleChanged reports whether the sign-in changes an existing user's role.
func (d *Provisioning) RoleChanged() bool { return d.PreviousRole != "" && d.PreviousRole != d.Role }

// ProvisionInput is what DecideProvisioning needs: the account's provider,
// the verified identity, and the user it corresponds to, if any: the user
// linked to the identity's subject, else the account's user with the
// identity's email. LinkedSubject is the subject User is linked to at
// this provider ("" when none).
type ProvisionInput struct {
	Provider      *IdentityProvider
	Identity      *VerifiedIdentity
	User          *User
	LinkedSubject string
}

// DecideProvisioning decides what a sign-in with the account's provider
// does: refuse it (a *SignInError with its reason), create the user with the
// mapped role, or update an existing user's name, email and role. The owner
// keeps the owner role whatever the claims say; every other role follows
// the provider at each sign-in.
func DecideProvisioning(in ProvisionInput) (*Provisioning, error) {
	p, id := in.Provider, in.Identity
	if p == nil || id == nil {
		return nil, &SignInError{Reason: SignInNotConfigured}
	}
	if id.Issuer != p.Issuer {
		return nil, &SignInError{Reason: SignInWrongIssuer}
	}
	if id.Subject == "" {
		return nil, &SignInError{Reason: SignInSubjectMissing}
	}
	email, err := ValidateEmail("email", id.Email, false)
	if err != nil {
		return nil, &SignInError{Reason: SignInEmailMissing}
	}
	if !id.EmailVerified {
		return nil, &SignInError{Reason: SignInEmailUnverified}
	}
	if !p.AllowsDomain(email) {
		return nil, &SignInError{Reason: SignInDomainNotAllowed}
	}
	if in.User != nil && in.LinkedSubject != "" && in.LinkedSubject != id.Subject {
		return nil, &SignInError{Reason: SignInSubjectConflict}
	}
	role := p.MappedRole(id.RoleValues)
	if in.User != nil && in.User.Role == RoleOwner {
		role = RoleOwner
	}
	if role == "" {
		return nil, &SignInError{Reason: SignInNoRole}
	}
	name := providerName(id.Name, email)
	d := &Provisioning{Email: email, Name: name, Role: role}
	if in.User == nil {
		d.Action = ProvisionCreate
		d.Link = true
		return d, nil
	}
	u := in.User
	d.PreviousRole = u.Role
	d.NameChanged = u.Name != name
	d.EmailChanged = !strings.EqualFold(u.Email, email)
	d.Link = in.LinkedSubject == ""
	d.Action = ProvisionKeep
	if d.NameChanged || d.EmailChanged || d.RoleChanged() || d.Link {
		d.Action = ProvisionUpdate
	}
	return d, nil
}

// providerName is the name the provider gives, when it is a valid name,
// else the local part of the email.
func providerName(name, email string) string {
	if n, err := ValidateName("name", name); err == nil {
		return n
	}
	local := email[:strings.LastIndexByte(email, '@')]
	if n, err := ValidateName("name", local); err == nil {
		return n
	}
	return email
}

// SignInReason says why a sign-in with an identity provider was refused.
// It goes into the audit trail; the person sees one generic refusal.
type SignInReason string

// Sign-in refusal reasons.
const (
	SignInNotConfigured    SignInReason = "not_configured"       // the account has no provider
	SignInProviderError    SignInReason = "provider_error"       // the provider answered with an error (e.g. access_denied)
	SignInProviderDown     SignInReason = "provider_unreachable" // discovery, token or keys endpoint failed
	SignInBadState         SignInReason = "bad_state"            // state missing, tampered, expired or not this browser's
	SignInStateReused      SignInReason = "state_reused"         // the same sign-in came back twice
	SignInCodeRejected     SignInReason = "code_rejected"        // the provider refused the code: replayed, expired or not ours
	SignInNoIDToken        SignInReason = "no_id_token"          // the token response held no ID token
	SignInBadSignature     SignInReason = "bad_signature"        // the ID token's signature does not verify
	SignInWrongIssuer      SignInReason = "wrong_issuer"         // the ID token is from another issuer
	SignInWrongAudience    SignInReason = "wrong_audience"       // the ID token is for another client
	SignInExpired          SignInReason = "expired"              // the ID token has expired
	SignInNonceMismatch    SignInReason = "nonce_mismatch"       // the ID token's nonce is not this sign-in's
	SignInSubjectMissing   SignInReason = "subject_missing"      // no subject in the ID token
	SignInSubjectMismatch  SignInReason = "subject_mismatch"     // userinfo is about another subject than the ID token
	SignInEmailMissing     SignInReason = "email_missing"        // no valid email claim
	SignInEmailUnverified  SignInReason = "email_unverified"     // email_verified is not true
	SignInDomainNotAllowed SignInReason = "domain_not_allowed"   // the email's domain is not an allowed one
	SignInNoRole           SignInReason = "no_role"              // no mapping matched and there is no default role
	SignInSubjectConflict  SignInReason = "subject_conflict"     // the user is linked to another subject
	SignInEmailTaken       SignInReason = "email_taken"          // the email is a user's of another account
	SignInInvalidToken     SignInReason = "invalid_token"        // the ID token is malformed in another way
)

// SignInError is a refused sign-in: Reason for the audit trail, Err for the
// log. To a person (ErrorCode, ErrorMessage) it is one generic EUNAUTHORIZED
// refusal whatever the reason, so the refusal tells an attacker nothing.
type SignInError struct {
	Reason SignInReason
	Err    error
}

// ErrSignInRefused is the one refusal a person sees for any failed sign-in
// with an identity provider.
var ErrSignInRefused = &Error{Code: EUNAUTHORIZED, Message: "Sign-in with the identity provider did not succeed. Please try again or ask your administrator."}

// Error implements error; it names the reason (for logs, never for users).
func (e *SignInError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("sign-in refused (%s): %v", e.Reason, e.Err)
	}
	return fmt.Sprintf("sign-in refused (%s)", e.Reason)
}

// Unwrap returns the underlying error.
func (e *SignInError) Unwrap() error { return e.Err }

// As lets errors.As find the generic *Error (ErrSignInRefused) in a
// SignInError, so the edges answer every refusal alike.
func (e *SignInError) As(target any) bool {
	if t, ok := target.(**Error); ok {
		c := *ErrSignInRefused
		*t = &c
		return true
	}
	return false
}

// SignInReasonOf returns the reason of a refused sign-in, or "" when err is
// not a *SignInError.
func SignInReasonOf(err error) SignInReason {
	var e *SignInError
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

package admit_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/admit-project/admit"
)

func validProvider() *admit.IdentityProvider {
	return &admit.IdentityProvider{
		AccountID:      1,
		Name:           "Example SSO",
		Issuer:         "https://idp.example.com",
		ClientID:       "admit",
		ClientSecret:   "s3cret",
		AllowedDomains: []string{"example.com"},
		RoleClaim:      "groups",
		RoleMappings: []admit.RoleMapping{
			{Value: "meeting-admins", Role: admit.RoleAdmin},
			{Value: "staff", Role: admit.RoleHost},
		},
		DefaultRole: "",
	}
}

type providerTest struct {
	name   string
	change func(p *admit.IdentityProvider)
	field  string // "" when valid
}

var providerTests = []providerTest{
	{"valid", func(p *admit.IdentityProvider) {}, ""},
	{"public client", func(p *admit.IdentityProvider) { p.ClientSecret = "" }, ""},
	{"local http issuer", func(p *admit.IdentityProvider) { p.Issuer = "http://localhost:9998/" }, ""},
	{"loopback ip issuer", func(p *admit.IdentityProvider) { p.Issuer = "http://127.0.0.1:9998" }, ""},
	{"no name", func(p *admit.IdentityProvider) { p.Name = " " }, "name"},
	{"long name", func(p *admit.IdentityProvider) { p.Name = strings.Repeat("x", 61) }, "name"},
	{"no issuer", func(p *admit.IdentityProvider) { p.Issuer = "" }, "issuer"},
	{"http issuer", func(p *admit.IdentityProvider) { p.Issuer = "http://idp.example.com" }, "issuer"},
	{"relative issuer", func(p *admit.IdentityProvider) { p.Issuer = "/idp" }, "issuer"},
	{"issuer with query", func(p *admit.IdentityProvider) { p.Issuer = "https://idp.example.com/?a=b" }, "issuer"},
	{"issuer with user", func(p *admit.IdentityProvider) { p.Issuer = "https://u:p@idp.example.com" }, "issuer"},
	{"ftp issuer", func(p *admit.IdentityProvider) { p.Issuer = "ftp://idp.example.com" }, "issuer"},
	{"no client id", func(p *admit.IdentityProvider) { p.ClientID = "" }, "client_id"},
	{"control in secret", func(p *admit.IdentityProvider) { p.ClientSecret = "a\nb" }, "client_secret"},
	{"no domains", func(p *admit.IdentityProvider) { p.AllowedDomains = nil }, "allowed_domains"},
	{"email as domain", func(p *admit.IdentityProvider) { p.AllowedDomains = []string{"a@example.com"} }, "allowed_domains[0]"},
	{"dotless domain", func(p *admit.IdentityProvider) { p.AllowedDomains = []string{"example.com", "localhost"} }, "allowed_domains[1]"},
	{"wildcard domain", func(p *admit.IdentityProvider) { p.AllowedDomains = []string{"*.example.com"} }, "allowed_domains[0]"},
	{"claim with space", func(p *admit.IdentityProvider) { p.RoleClaim = "my groups" }, "role_claim"},
	{"mappings without claim", func(p *admit.IdentityProvider) { p.RoleClaim = "" }, "role_claim"},
	{"owner mapping", func(p *admit.IdentityProvider) { p.RoleMappings[0].Role = admit.RoleOwner }, "role_mappings[0].role"},
	{"unknown role", func(p *admit.IdentityProvider) { p.RoleMappings[1].Role = "member" }, "role_mappings[1].role"},
	{"empty value", func(p *admit.IdentityProvider) { p.RoleMappings[1].Value = " " }, "role_mappings[1].value"},
	{"owner default", func(p *admit.IdentityProvider) { p.DefaultRole = admit.RoleOwner }, "default_role"},
	{"host default", func(p *admit.IdentityProvider) { p.DefaultRole = admit.RoleHost }, ""},
}

func TestIdentityProviderValidate(t *testing.T) {
	for _, tt := range providerTests {
		p := validProvider()
		tt.change(p)
		err := p.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
			}
			continue
		}
		if got := admit.ErrorField(err); got != tt.field || admit.ErrorCode(err) != admit.EINVALID {
			t.Errorf("%s: Validate() = %v, want EINVALID on field %q", tt.name, err, tt.field)
		}
	}
}

func TestIdentityProviderValidateNormalises(t *testing.T) {
	p := validProvider()
	p.Issuer = " https://idp.example.com/ "
	p.AllowedDomains = []string{"Example.COM", "@corp.example.org", "example.com"}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Issuer != "https://idp.example.com/" {
		t.Errorf("issuer = %q, want it trimmed and otherwise as given (it must match the ID token's iss)", p.Issuer)
	}
	if want := []string{"corp.example.org", "example.com"}; !slices.Equal(p.AllowedDomains, want) {
		t.Errorf("domains = %q, want %q", p.AllowedDomains, want)
	}
}

func TestMappedRole(t *testing.T) {
	p := validProvider()
	for _, tt := range []struct {
		values []string
		def    admit.Role
		want   admit.Role
	}{
		{[]string{"staff"}, "", admit.RoleHost},
		{[]string{"staff", "meeting-admins"}, "", admit.RoleAdmin},
		{[]string{"meeting-admins", "staff"}, "", admit.RoleAdmin},
		{[]string{"Staff"}, "", ""}, // values match exactly
		{nil, "", ""},
		{nil, admit.RoleHost, admit.RoleHost},
		{[]string{"other"}, admit.RoleHost, admit.RoleHost},
	} {
		p.DefaultRole = tt.def
		if got := p.MappedRole(tt.values); got != tt.want {
			t.Errorf("MappedRole(%q) with default %q = %q, want %q", tt.values, tt.def, got, tt.want)
		}
	}
}

func TestAllowsPassword(t *testing.T) {
	owner := &admit.User{Role: admit.RoleOwner}
	host := &admit.User{Role: admit.RoleHost}
	admin := &admit.User{Role: admit.RoleAdmin}
	var none *admit.IdentityProvider
	if !none.AllowsPassword(host) {
		t.Error("without a provider, passwords must work")
	}
	p := validProvider()
	if !p.AllowsPassword(host) {
		t.Error("a provider that is not SSO only must leave passwords on")
	}
	p.SSOOnly = true
	if p.AllowsPassword(host) || p.AllowsPassword(admin) {
		t.Error("SSO only must turn passwords off for hosts and admins")
	}
	if !p.AllowsPassword(owner) {
		t.Error("SSO only must leave the owner's break-glass password on")
	}
}

type provisionTest struct {
	name     string
	identity func(id *admit.VerifiedIdentity)
	user     *admit.User
	linked   string
	reason   admit.SignInReason // refusal expected, or ""
	want     admit.Provisioning
}

var provisionTests = []provisionTest{
	{name: "first sign-in creates a host",
		want: admit.Provisioning{Action: admit.ProvisionCreate, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleHost, Link: true}},
	{name: "first sign-in of an admin",
		identity: func(id *admit.VerifiedIdentity) { id.RoleValues = []string{"staff", "meeting-admins"} },
		want:     admit.Provisioning{Action: admit.ProvisionCreate, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleAdmin, Link: true}},
	{name: "email is lower-cased and domain matched case-insensitively",
		identity: func(id *admit.VerifiedIdentity) { id.Email = "Ann@EXAMPLE.com" },
		want:     admit.Provisioning{Action: admit.ProvisionCreate, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleHost, Link: true}},
	{name: "no name falls back to the email's local part",
		identity: func(id *admit.VerifiedIdentity) { id.Name = "" },
		want:     admit.Provisioning{Action: admit.ProvisionCreate, Email: "ann@example.com", Name: "ann", Role: admit.RoleHost, Link: true}},
	{name: "name with control characters falls back",
		identity: func(id *admit.VerifiedIdentity) { id.Name = "Ann\x00" },
		want:     admit.Provisioning{Action: admit.ProvisionCreate, Email: "ann@example.com", Name: "ann", Role: admit.RoleHost, Link: true}},
	{name: "unverified email", identity: func(id *admit.VerifiedIdentity) { id.EmailVerified = false }, reason: admit.SignInEmailUnverified},
	{name: "no email", identity: func(id *admit.VerifiedIdentity) { id.Email = "" }, reason: admit.SignInEmailMissing},
	{name: "bad email", identity: func(id *admit.VerifiedIdentity) { id.Email = "ann" }, reason: admit.SignInEmailMissing},
	{name: "domain not allowed", identity: func(id *admit.VerifiedIdentity) { id.Email = "eve@evil.example" }, reason: admit.SignInDomainNotAllowed},
	{name: "subdomain not allowed", identity: func(id *admit.VerifiedIdentity) { id.Email = "eve@sub.example.com" }, reason: admit.SignInDomainNotAllowed},
	{name: "suffix trick not allowed", identity: func(id *admit.VerifiedIdentity) { id.Email = "eve@evilexample.com" }, reason: admit.SignInDomainNotAllowed},
	{name: "no mapped role", identity: func(id *admit.VerifiedIdentity) { id.RoleValues = []string{"guests"} }, reason: admit.SignInNoRole},
	{name: "other issuer", identity: func(id *admit.VerifiedIdentity) { id.Issuer = "https://other.example" }, reason: admit.SignInWrongIssuer},
	{name: "no subject", identity: func(id *admit.VerifiedIdentity) { id.Subject = "" }, reason: admit.SignInSubjectMissing},
	{name: "later sign-in keeps an unchanged user",
		user: &admit.User{ID: 7, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleHost}, linked: "sub-ann",
		want: admit.Provisioning{Action: admit.ProvisionKeep, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleHost, PreviousRole: admit.RoleHost}},
	{name: "later sign-in updates name and role",
		identity: func(id *admit.VerifiedIdentity) { id.RoleValues = []string{"meeting-admins"}; id.Name = "Ann New" },
		user:     &admit.User{ID: 7, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleHost}, linked: "sub-ann",
		want: admit.Provisioning{Action: admit.ProvisionUpdate, Email: "ann@example.com", Name: "Ann New", Role: admit.RoleAdmin,
			PreviousRole: admit.RoleHost, NameChanged: true}},
	{name: "later sign-in demotes an admin the provider no longer maps",
		user: &admit.User{ID: 7, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleAdmin}, linked: "sub-ann",
		want: admit.Provisioning{Action: admit.ProvisionUpdate, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleHost, PreviousRole: admit.RoleAdmin}},
	{name: "a password user is linked on first sign-in",
		user: &admit.User{ID: 7, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleHost},
		want: admit.Provisioning{Action: admit.ProvisionUpdate, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleHost, PreviousRole: admit.RoleHost, Link: true}},
	{name: "the owner stays owner whatever the claims",
		identity: func(id *admit.VerifiedIdentity) { id.RoleValues = nil },
		user:     &admit.User{ID: 1, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleOwner}, linked: "sub-ann",
		want: admit.Provisioning{Action: admit.ProvisionKeep, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleOwner, PreviousRole: admit.RoleOwner}},
	{name: "email changed at the provider",
		identity: func(id *admit.VerifiedIdentity) { id.Email = "ann.new@example.com" },
		user:     &admit.User{ID: 7, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleHost}, linked: "sub-ann",
		want: admit.Provisioning{Action: admit.ProvisionUpdate, Email: "ann.new@example.com", Name: "Ann Example", Role: admit.RoleHost, PreviousRole: admit.RoleHost, EmailChanged: true}},
	{name: "user linked to another subject",
		user: &admit.User{ID: 7, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleHost}, linked: "sub-someone-else",
		reason: admit.SignInSubjectConflict},
	{name: "domain rule applies to existing users too",
		identity: func(id *admit.VerifiedIdentity) { id.Email = "ann@gone.example" },
		user:     &admit.User{ID: 7, Email: "ann@example.com", Name: "Ann Example", Role: admit.RoleOwner}, linked: "sub-ann",
		reason: admit.SignInDomainNotAllowed},
}

func TestDecideProvisioning(t *testing.T) {
	for _, tt := range provisionTests {
		id := &admit.VerifiedIdentity{Issuer: "https://idp.example.com", Subject: "sub-ann", Email: "ann@example.com",
			EmailVerified: true, Name: "Ann Example", RoleValues: []string{"staff"}}
		if tt.identity != nil {
			tt.identity(id)
		}
		p := validProvider()
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		got, err := admit.DecideProvisioning(admit.ProvisionInput{Provider: p, Identity: id, User: tt.user, LinkedSubject: tt.linked})
		if tt.reason != "" {
			if r := admit.SignInReasonOf(err); r != tt.reason || got != nil {
				t.Errorf("%s: got %+v, %v (reason %q), want refusal %q", tt.name, got, err, r, tt.reason)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: refused: %v", tt.name, err)
			continue
		}
		if *got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, *got, tt.want)
		}
	}
}

func TestSignInErrorIsUniformToUsers(t *testing.T) {
	a := &admit.SignInError{Reason: admit.SignInNonceMismatch, Err: errors.New("nonce abc != def")}
	b := &admit.SignInError{Reason: admit.SignInDomainNotAllowed}
	for _, err := range []error{a, b} {
		if admit.ErrorCode(err) != admit.EUNAUTHORIZED {
			t.Errorf("ErrorCode(%v) = %q, want %q", err, admit.ErrorCode(err), admit.EUNAUTHORIZED)
		}
		if admit.ErrorMessage(err) != admit.ErrSignInRefused.Message {
			t.Errorf("ErrorMessage(%v) = %q, want the generic refusal", err, admit.ErrorMessage(err))
		}
	}
	if strings.Contains(admit.ErrorMessage(a), "nonce") {
		t.Error("the user-facing message must not name the reason")
	}
	if r := admit.SignInReasonOf(errors.Join(errors.New("x"), a)); r != admit.SignInNonceMismatch {
		t.Errorf("SignInReasonOf(wrapped) = %q", r)
	}
	if admit.SignInReasonOf(errors.New("other")) != "" {
		t.Error("SignInReasonOf of another error must be empty")
	}
}

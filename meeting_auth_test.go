package admit_test

import (
	"testing"

	"github.com/admit-project/admit"
)

func authPtr[T any](v T) *T { return &v }

func TestAuthenticationSettingsApply(t *testing.T) {
	locked := &admit.AccountSecurity{Locked: []string{"authentication"}}
	for _, tt := range []struct {
		name        string
		in          admit.AuthenticationInput
		locks       *admit.AccountSecurity
		hasProvider bool
		code, field string
		want        admit.AuthenticationSettings
	}{
		{name: "signed_in", in: admit.AuthenticationInput{Authentication: authPtr(admit.AuthenticationSignedIn)}, hasProvider: true,
			want: admit.AuthenticationSettings{Authentication: admit.AuthenticationSignedIn, PhoneJoins: admit.PhoneJoinsRefused}},
		{name: "invitees with PIN", in: admit.AuthenticationInput{Authentication: authPtr(admit.AuthenticationInvitees), PhoneJoins: authPtr(admit.PhoneJoinsInviteePIN)}, hasProvider: true,
			want: admit.AuthenticationSettings{Authentication: admit.AuthenticationInvitees, PhoneJoins: admit.PhoneJoinsInviteePIN}},
		{name: "unknown", in: admit.AuthenticationInput{Authentication: authPtr(admit.Authentication("sso"))}, hasProvider: true,
			code: admit.EINVALID, field: "security.authentication"},
		{name: "empty", in: admit.AuthenticationInput{Authentication: authPtr(admit.Authentication(""))}, hasProvider: true,
			code: admit.EINVALID, field: "security.authentication"},
		{name: "unknown phone policy", in: admit.AuthenticationInput{PhoneJoins: authPtr(admit.PhoneJoins("allow"))}, hasProvider: true,
			code: admit.EINVALID, field: "security.phone_joins"},
		{name: "no provider", in: admit.AuthenticationInput{Authentication: authPtr(admit.AuthenticationSignedIn)},
			code: admit.EINVALID, field: "security.authentication"},
		{name: "none needs no provider", in: admit.AuthenticationInput{Authentication: authPtr(admit.AuthenticationNone)},
			want: admit.DefaultAuthenticationSettings()},
		{name: "locked", in: admit.AuthenticationInput{Authentication: authPtr(admit.AuthenticationSignedIn)}, locks: locked, hasProvider: true,
			code: admit.EFORBIDDEN, field: "security.authentication"},
		{name: "locked but unchanged", in: admit.AuthenticationInput{Authentication: authPtr(admit.AuthenticationNone), PhoneJoins: authPtr(admit.PhoneJoinsInviteePIN)}, locks: locked,
			want: admit.AuthenticationSettings{Authentication: admit.AuthenticationNone, PhoneJoins: admit.PhoneJoinsInviteePIN}},
	} {
		s := admit.DefaultAuthenticationSettings()
		err := s.Apply(&tt.in, tt.locks, tt.hasProvider, "security")
		if tt.code != "" {
			if admit.ErrorCode(err) != tt.code || admit.ErrorField(err) != tt.field {
				t.Errorf("%s: Apply = %v, want %s on %s", tt.name, err, tt.code, tt.field)
			}
			if s != admit.DefaultAuthenticationSettings() {
				t.Errorf("%s: a refused Apply changed the settings to %+v", tt.name, s)
			}
			continue
		}
		if err != nil || s != tt.want {
			t.Errorf("%s: Apply = %v, settings %+v, want %+v", tt.name, err, s, tt.want)
		}
	}
}

func TestCheckSignIn(t *testing.T) {
	bob := &admit.Invitee{ID: "ibob", Name: "Bob Invited", Email: "Bob@Example.com"}
	phoneOnly := &admit.Invitee{ID: "iphone", Name: "Phone Only", Phone: "+41 44 000 00 00"}
	invitees := []*admit.Invitee{phoneOnly, bob}
	signedBob := &admit.VerifiedIdentity{Subject: "b", Email: "bob@example.com", EmailVerified: true, Name: "Bob at IdP"}
	signedEve := &admit.VerifiedIdentity{Subject: "e", Email: "eve@example.com", EmailVerified: true, Name: "Eve"}
	unverified := &admit.VerifiedIdentity{Subject: "b", Email: "bob@example.com", Name: "Bob"}
	for _, tt := range []struct {
		name string
		a    admit.Authentication
		id   *admit.VerifiedIdentity
		want admit.GateDecision
	}{
		{"none, anonymous", admit.AuthenticationNone, nil, admit.GateDecision{Gate: admit.GateProceed}},
		{"none, signed in", admit.AuthenticationNone, signedEve, admit.GateDecision{Gate: admit.GateProceed}},
		{"signed_in, anonymous", admit.AuthenticationSignedIn, nil, admit.GateDecision{Gate: admit.GateSignIn}},
		{"signed_in, unverified", admit.AuthenticationSignedIn, unverified, admit.GateDecision{Gate: admit.GateSignIn}},
		{"signed_in, named by the provider", admit.AuthenticationSignedIn, signedEve, admit.GateDecision{Gate: admit.GateProceed, Name: "Eve"}},
		{"invitees, anonymous", admit.AuthenticationInvitees, nil, admit.GateDecision{Gate: admit.GateSignIn}},
		{"invitees, invitee named by the invitation", admit.AuthenticationInvitees, signedBob, admit.GateDecision{Gate: admit.GateProceed, Name: "Bob Invited", Invitee: bob}},
		{"invitees, non-invitee refused", admit.AuthenticationInvitees, signedEve, admit.GateDecision{Gate: admit.GateRefuse}},
	} {
		got := admit.CheckSignIn(tt.a, tt.id, invitees)
		if got != tt.want {
			t.Errorf("%s: CheckSignIn = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestPhoneGateFor(t *testing.T) {
	for _, tt := range []struct {
		s    admit.AuthenticationSettings
		want admit.PhoneGate
	}{
		{admit.AuthenticationSettings{Authentication: admit.AuthenticationNone, PhoneJoins: admit.PhoneJoinsRefused}, admit.PhoneGateOpen},
		{admit.AuthenticationSettings{Authentication: admit.AuthenticationSignedIn, PhoneJoins: admit.PhoneJoinsRefused}, admit.PhoneGateRefused},
		{admit.AuthenticationSettings{Authentication: admit.AuthenticationSignedIn, PhoneJoins: admit.PhoneJoinsInviteePIN}, admit.PhoneGateInviteePIN},
		{admit.AuthenticationSettings{Authentication: admit.AuthenticationInvitees, PhoneJoins: admit.PhoneJoinsInviteePIN}, admit.PhoneGateInviteePIN},
		{admit.AuthenticationSettings{Authentication: admit.AuthenticationInvitees, PhoneJoins: admit.PhoneJoinsRefused}, admit.PhoneGateRefused},
	} {
		if got := admit.PhoneGateFor(tt.s); got != tt.want {
			t.Errorf("PhoneGateFor(%+v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

package app_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/clock"
)

func TestSignedInMeetings(t *testing.T) {
	svc, host, _ := mustService(t, rand.Reader)
	ctx := context.Background()
	signedIn := admit.AuthenticationSignedIn
	// Without a provider, sign-in cannot be required.
	if _, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(time.Hour)),
		Security: &admit.SecurityInput{Authentication: &signedIn}}); admit.ErrorField(err) != "security.authentication" {
		t.Fatalf("signed_in without a provider: %v, want EINVALID on security.authentication", err)
	}
	p := ssoProvider(0)
	if _, err := svc.SetIdentityProvider(ctx, host, p, false); err != nil {
		t.Fatal(err)
	}
	m, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(time.Hour)),
		Security: &admit.SecurityInput{Authentication: &signedIn}})
	if err != nil {
		t.Fatal(err)
	}
	invitees := admit.AuthenticationInvitees
	pin := admit.PhoneJoinsInviteePIN
	closed, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(time.Hour)),
		Security: &admit.SecurityInput{Authentication: &invitees, PhoneJoins: &pin},
		Invitees: []*admit.InviteeInput{{Name: "Bob Invited", Email: "bob@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	svc.Clock.(*clock.FixedClock).Set(t0.Add(time.Hour))
	n := 0
	join := func(v *admit.MeetingView, ch admit.Channel, id *admit.VerifiedIdentity) (*admit.JoinResult, error) {
		n++ // a source each: the per-source limit is not what this tests
		return svc.Join(ctx, &admit.JoinRequest{MeetingID: v.MeetingID, Passcode: v.Passcode, Name: "Typed Name", Channel: ch,
			Source: fmt.Sprintf("198.51.100.%d", n), Identity: id})
	}
	ann := &admit.VerifiedIdentity{Issuer: p.Issuer, Subject: "ann", Email: "ann@example.com", EmailVerified: true, Name: "Ann at the IdP"}
	bob := &admit.VerifiedIdentity{Issuer: p.Issuer, Subject: "bob", Email: "BOB@example.com", EmailVerified: true, Name: "Bob at the IdP"}
	foreign := &admit.VerifiedIdentity{Issuer: "https://other.example/", Subject: "ann", Email: "ann@example.com", EmailVerified: true, Name: "Ann"}

	if _, err := join(m, admit.ChannelWeb, nil); admit.ErrorCode(err) != admit.ESIGNIN {
		t.Errorf("anonymous join of a signed_in meeting: %v, want ESIGNIN", err)
	}
	if _, err := join(m, admit.ChannelWeb, foreign); admit.ErrorCode(err) != admit.ESIGNIN {
		t.Errorf("a sign-in at another provider: %v, want ESIGNIN", err)
	}
	bad := *m
	bad.Passcode = "wrong-passcode-1"
	if _, err := join(&bad, admit.ChannelWeb, nil); admit.ErrorCode(err) != admit.EREFUSED {
		t.Errorf("a wrong passcode, not signed in: %v, want the uniform refusal (the key still applies first)", err)
	}
	r, err := join(m, admit.ChannelWeb, ann)
	if err != nil || r.Participant.DisplayName != "Ann at the IdP" {
		t.Errorf("signed-in join: %+v, %v; want admitted as named by the provider", r, err)
	}
	if _, err := join(m, admit.ChannelPhone, nil); admit.ErrorCode(err) != admit.EREFUSED {
		t.Errorf("a phone join of a signed_in meeting that refuses phones: %v, want the uniform refusal", err)
	}

	if _, err := join(closed, admit.ChannelWeb, ann); admit.ErrorCode(err) != admit.EREFUSED {
		t.Errorf("a signed-in non-invitee: %v, want the uniform refusal", err)
	}
	r, err = join(closed, admit.ChannelWeb, bob)
	if err != nil || r.Participant.DisplayName != "Bob Invited" || r.Participant.InviteeID == "" {
		t.Errorf("the invitee signed in: %+v, %v; want admitted as named by the invitation", r, err)
	}
	if _, err := join(closed, admit.ChannelPhone, nil); admit.ErrorCode(err) != admit.EREFUSED {
		t.Errorf("a phone join with the shared passcode where an invitee PIN is required: %v, want the uniform refusal", err)
	}
}

package app_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/memory"
	"github.com/admit-project/admit/sourcelimit"
)

// TestJoinLimitsOffice: 300 joins from one address at one meeting, one in
// ten after a mistyped passcode, under the default policies: none is held.
func TestJoinLimitsOffice(t *testing.T) {
	svc, host, clock := mustService(t, rand.Reader)
	p := sourcelimit.DefaultPolicy()
	svc.JoinLimiter = sourcelimit.New(memory.NewLimiter(p.Distinct), memory.NewLimiter(p.Repeat), time.Hour)
	ctx := context.Background()
	m, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0)})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(t0)
	for i := range 300 {
		clock.Set(t0.Add(time.Duration(i) * 400 * time.Millisecond))
		if i%10 == 3 {
			_, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.Passcode + "x", Source: "198.51.100.7"})
			if admit.ErrorCode(err) != admit.EREFUSED {
				t.Fatalf("person %d's typo: %v; want refused", i, err)
			}
		}
		if _, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.Passcode, Source: "198.51.100.7"}); err != nil {
			t.Fatalf("person %d: %v; want admitted", i, err)
		}
	}
}

// TestJoinLimitsDistinctIdentifiers: one address trying meeting IDs,
// access codes and link tokens is held after 20 distinct ones in all, its
// retries of a meeting it tried are not.
func TestJoinLimitsDistinctIdentifiers(t *testing.T) {
	svc, _, clock := mustService(t, rand.Reader)
	p := sourcelimit.DefaultPolicy()
	p.Distinct.FreeFailures = p.Distinct.MaxFailures // no delays: count only
	svc.JoinLimiter = sourcelimit.New(memory.NewLimiter(p.Distinct), memory.NewLimiter(p.Repeat), time.Hour)
	ctx := context.Background()
	clock.Set(t0)
	reqs := func(i int) *admit.JoinRequest {
		switch i % 3 {
		case 0:
			return &admit.JoinRequest{MeetingID: fmt.Sprintf("9%010d", i), Passcode: "Guess12345"}
		case 1:
			return &admit.JoinRequest{AccessCode: fmt.Sprintf("%09d", 100000000+i), Passcode: "Guess12345"}
		}
		return &admit.JoinRequest{Token: fmt.Sprintf("AAAAAAAAAAAAAAAAAAA%03d", i)}
	}
	evaluated := 0
	for i := range 100 {
		r := reqs(i)
		r.Source = "203.0.113.9"
		_, err := svc.Join(ctx, r)
		if admit.ErrorCode(err) == admit.ERATELIMITED {
			continue
		} else if admit.ErrorCode(err) != admit.EREFUSED {
			t.Fatalf("identifier %d: %v", i, err)
		}
		evaluated++
	}
	if evaluated != 20 {
		t.Errorf("%d identifiers evaluated; want the 20 the policy allows", evaluated)
	}
	r := reqs(0)
	r.Source = "203.0.113.9"
	if _, err := svc.Join(ctx, r); admit.ErrorCode(err) != admit.EREFUSED {
		t.Errorf("a retry of the first meeting ID: %v; want refused, not limited", err)
	}
}

// TestJoinGatewayCaller: a caller's identity from a trusted gateway is the
// source, masked and hashed: two callers through one gateway are limited
// apart, and the full number is not kept.
func TestJoinGatewayCaller(t *testing.T) {
	svc, host, clock := mustService(t, rand.Reader)
	p := sourcelimit.DefaultPolicy()
	p.Distinct.MaxFailures, p.Distinct.FreeFailures = 3, 3
	svc.JoinLimiter = sourcelimit.New(memory.NewLimiter(p.Distinct), memory.NewLimiter(p.Repeat), time.Hour)
	ctx := context.Background()
	m, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0)})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(t0)
	for i := range 4 {
		_, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: fmt.Sprintf("9%010d", i), Passcode: "12345678", Channel: admit.ChannelPhone,
			Source: "192.0.2.50", Caller: "+4930111111"})
		if want := admit.EREFUSED; i == 3 {
			want = admit.ERATELIMITED
			if admit.ErrorCode(err) != want {
				t.Errorf("the first caller's fourth meeting ID: %v; want rate limited", err)
			}
		} else if admit.ErrorCode(err) != want {
			t.Errorf("the first caller's meeting ID %d: %v; want refused", i, err)
		}
	}
	res, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.PhonePasscode, Channel: admit.ChannelPhone,
		Source: "192.0.2.50", Caller: "+4930222222"})
	if err != nil {
		t.Fatalf("the next caller through the gateway: %v; want admitted", err)
	}
	if src := res.Participant.Source; strings.Contains(src, "4930222222") || !strings.HasSuffix(strings.Split(src, "#")[0], "2222") {
		t.Errorf("the caller's recorded source %q; want the number masked to its last four digits", src)
	}
}

// TestInviteeLinkLimits: a link page counts a token it does not know as a
// distinct identifier tried, as a join by token does; looking at one's own
// link, then joining by it, is one identifier.
func TestInviteeLinkLimits(t *testing.T) {
	svc, host, clock := mustService(t, rand.Reader)
	p := sourcelimit.DefaultPolicy()
	p.Distinct.MaxFailures, p.Distinct.FreeFailures = 3, 3
	svc.JoinLimiter = sourcelimit.New(memory.NewLimiter(p.Distinct), memory.NewLimiter(p.Repeat), time.Hour)
	ctx := context.Background()
	m, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0), Invitees: []*admit.InviteeInput{{Name: "Grace Hopper"}}})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(t0)
	token := linkToken(m.Invitees[0].Link)
	if _, err := svc.InviteeLink(ctx, admit.ChannelWeb, "192.0.2.9", token); err != nil {
		t.Fatalf("the invitee's link page: %v", err)
	}
	for i := range 3 {
		_, err := svc.InviteeLink(ctx, admit.ChannelWeb, "192.0.2.9", fmt.Sprintf("AAAAAAAAAAAAAAAAAAAAA%c", 'A'+i))
		if admit.ErrorCode(err) != admit.EREFUSED || admit.ErrorMessage(err) != admit.RefusalMessage {
			t.Fatalf("unknown token %d: %v; want the uniform refusal", i, err)
		}
	}
	if _, err := svc.Join(ctx, &admit.JoinRequest{Token: "AAAAAAAAAAAAAAAAAAAAAZ", Source: "192.0.2.9"}); admit.ErrorCode(err) != admit.ERATELIMITED {
		t.Errorf("a fourth unknown token, by a join: %v; want rate limited", err)
	}
	if _, err := svc.Join(ctx, &admit.JoinRequest{Token: token, Source: "192.0.2.9"}); err != nil {
		t.Errorf("joining by the link the source looked at: %v; want admitted", err)
	}
}

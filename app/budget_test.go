package app_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
)

// budgetFixture is a service whose account has guess budget a, and an open
// meeting with one invitee.
func budgetFixture(t *testing.T, a int) (*app.Service, *admit.Actor, *admit.MeetingView) {
	t.Helper()
	svc, host, _ := mustService(t, rand.Reader)
	ctx := context.Background()
	if _, err := svc.UpdateAccountSecurity(ctx, host, &admit.AccountSecurityInput{GuessBudget: ptr(a)}); err != nil {
		t.Fatal(err)
	}
	m, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0), Invitees: []*admit.InviteeInput{{Name: "Grace"}}})
	if err != nil {
		t.Fatal(err)
	}
	return svc, host, m
}

var sourceN atomic.Uint32

// join joins from a source of its own, so that the per-source limits stay
// out of the way.
func join(svc *app.Service, req admit.JoinRequest) (*admit.JoinResult, error) {
	n := sourceN.Add(1)
	req.Source = fmt.Sprintf("10.%d.%d.%d", n>>16&0xff, n>>8&0xff, n&0xff)
	return svc.Join(context.Background(), &req)
}

func wantStatus(t *testing.T, res *admit.JoinResult, err error, want admit.JoinStatus, what string) {
	t.Helper()
	if err != nil || res.Status != want {
		t.Fatalf("%s: %v, %v; want %s", what, res, err, want)
	}
}

// TestGuessBudgetExactUnderConcurrency sends 200 wrong guesses and 50 valid
// passcode joins at one meeting at once, with budget 50. In the order the
// store committed them, every valid join before the 50th failure is
// admitted and every one after it waits; wrong guesses are refused until
// then and held (unmatched) after; every wrong guess is counted; the
// budget is spent once.
func TestGuessBudgetExactUnderConcurrency(t *testing.T) {
	const a, wrong, valid = 50, 200, 50
	svc, host, m := budgetFixture(t, a)
	ctx := context.Background()
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range wrong + valid {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req := admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.Passcode}
			if i < wrong {
				req.Passcode = fmt.Sprintf("Wrong%05d", i)
			}
			res, err := join(svc, req)
			switch {
			case i < wrong && admit.ErrorCode(err) != admit.EREFUSED && (err != nil || res.Status != admit.StatusWaiting):
				t.Errorf("wrong guess: %v, %v; want refused, or held once the budget is spent", res, err)
			case i >= wrong && err != nil:
				t.Errorf("valid join: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()

	full, err := svc.ShowMeeting(ctx, host, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b := full.Budget; b.Failures != wrong || !b.Spent || b.Budget != a {
		t.Errorf("budget %+v; want %d failures, spent, of %d", b, wrong, a)
	}
	attempts, err := svc.Store.FindAttempts(ctx, meetingPK(t, svc, host, m.ID), 0)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(attempts, func(i, j int) bool { return attempts[i].ID < attempts[j].ID })
	failures, admitted, waiting := 0, 0, 0
	for _, at := range attempts {
		switch at.Outcome {
		case admit.OutcomeRefused:
			failures++
		case admit.OutcomeAdmitted:
			admitted++
			if failures >= a {
				t.Errorf("attempt %d admitted directly after %d failures (budget %d)", at.ID, failures, a)
			}
		case admit.OutcomeWaiting:
			if at.Reason == admit.ReasonWrongPasscode {
				// A wrong guess held (unmatched) as a right one is, once
				// the budget is spent; never before.
				if failures < a {
					t.Errorf("wrong guess %d held after only %d failures (budget %d)", at.ID, failures, a)
				}
				failures++
				continue
			}
			waiting++
			if failures < a || at.Reason != admit.ReasonBudgetSpent {
				t.Errorf("attempt %d waits (%s) after only %d failures (budget %d)", at.ID, at.Reason, failures, a)
			}
		}
	}
	t.Logf("%d admitted and %d waiting, interleaved with %d failures", admitted, waiting, failures)
	if failures != wrong || admitted+waiting != valid {
		t.Errorf("%d failures, %d admitted, %d waiting; want %d failures and %d joins", failures, admitted, waiting, wrong, valid)
	}
	events, err := svc.Store.FindEvents(ctx, admit.EventFilter{AccountID: host.User.AccountID, Target: "meeting:" + m.ID})
	if err != nil {
		t.Fatal(err)
	}
	spent := 0
	for _, e := range events {
		if e.Action == "budget.spent" {
			spent++
			if want := fmt.Sprintf("failures %d of budget %d", a, a); e.Detail != want {
				t.Errorf("budget.spent detail %q, want %q", e.Detail, want)
			}
		}
	}
	if spent != 1 {
		t.Errorf("%d budget.spent events, want 1", spent)
	}

	// Afterwards: passcode, phone form and PIN joins wait; the link admits.
	res, err := join(svc, admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.Passcode})
	wantStatus(t, res, err, admit.StatusWaiting, "passcode after the budget is spent")
	res, err = join(svc, admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.Invitees[0].PIN, Channel: admit.ChannelPhone})
	wantStatus(t, res, err, admit.StatusWaiting, "PIN after the budget is spent")
	res, err = join(svc, admit.JoinRequest{AccessCode: m.Occurrences[0].AccessCode, Passcode: m.Passcode})
	wantStatus(t, res, err, admit.StatusWaiting, "access code and passcode after the budget is spent")
	res, err = join(svc, admit.JoinRequest{Token: linkToken(m.Invitees[0].Link)})
	wantStatus(t, res, err, admit.StatusAdmitted, "invitee link after the budget is spent")

	r, err := svc.Roster(ctx, host, m.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Budget.Spent || r.Budget.Alert == "" {
		t.Errorf("roster budget %+v; want spent with an alert", r.Budget)
	}
}

func linkToken(link string) string {
	for i := len(link) - 1; i >= 0; i-- {
		if link[i] == '/' {
			return link[i+1:]
		}
	}
	return link
}

func meetingPK(t *testing.T, svc *app.Service, host *admit.Actor, id string) int64 {
	t.Helper()
	m, err := svc.Store.FindMeetingByID(context.Background(), host.User.AccountID, id)
	if err != nil {
		t.Fatal(err)
	}
	return m.PK
}

// TestSuccessDoesNotResetBudget: the budget is cumulative, so that an
// attacker who also joins legitimately cannot refill it.
func TestSuccessDoesNotResetBudget(t *testing.T) {
	svc, _, m := budgetFixture(t, 3)
	wrongJoin := func() {
		t.Helper()
		if _, err := join(svc, admit.JoinRequest{MeetingID: m.MeetingID, Passcode: "Wrong12345"}); admit.ErrorCode(err) != admit.EREFUSED {
			t.Fatalf("wrong passcode: %v", err)
		}
	}
	wrongJoin()
	wrongJoin()
	res, err := join(svc, admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.Passcode})
	wantStatus(t, res, err, admit.StatusAdmitted, "within the budget")
	wrongJoin()
	res, err = join(svc, admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.Passcode})
	wantStatus(t, res, err, admit.StatusWaiting, "third failure, after a success")
	// Unknown meetings and tokens do not count against any meeting.
	if _, err := join(svc, admit.JoinRequest{Token: "AAAAAAAAAAAAAAAAAAAAAA"}); admit.ErrorCode(err) != admit.EREFUSED {
		t.Fatalf("unknown token: %v", err)
	}
}

// TestResetBudgetNeedsRegeneration: the host resets a spent budget only
// after regenerating the passcode.
func TestResetBudgetNeedsRegeneration(t *testing.T) {
	svc, host, m := budgetFixture(t, 2)
	ctx := context.Background()
	if _, err := svc.ResetBudget(ctx, host, m.ID); admit.ErrorCode(err) != admit.ECONFLICT || admit.ErrorField(err) != "budget" {
		t.Errorf("reset of an unspent budget: %v; want ECONFLICT on budget", err)
	}
	// A regeneration before the budget is spent does not allow a reset.
	if _, err := svc.Regenerate(ctx, host, m.ID, "passcode", 0, ""); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		join(svc, admit.JoinRequest{MeetingID: m.MeetingID, Passcode: "Wrong12345"})
	}
	if _, err := svc.ResetBudget(ctx, host, m.ID); admit.ErrorCode(err) != admit.ECONFLICT || admit.ErrorField(err) != "passcode" {
		t.Errorf("reset without regenerating: %v; want ECONFLICT on passcode", err)
	}
	v, err := svc.Regenerate(ctx, host, m.ID, "passcode", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if !v.Budget.PasscodeRegenerated || !v.Budget.Spent {
		t.Errorf("budget after regenerating %+v", v.Budget)
	}
	b, err := svc.ResetBudget(ctx, host, m.ID)
	if err != nil || b.Spent || b.Failures != 0 || b.ResetAt == nil {
		t.Fatalf("reset: %+v, %v", b, err)
	}
	res, err := join(svc, admit.JoinRequest{MeetingID: m.MeetingID, Passcode: v.Passcode})
	wantStatus(t, res, err, admit.StatusAdmitted, "new passcode after the reset")
	if _, err := svc.ResetBudget(ctx, host, m.ID); admit.ErrorCode(err) != admit.ECONFLICT {
		t.Errorf("second reset: %v; want ECONFLICT", err)
	}
}

// TestGuessCeilingRefusesWeakSettings: account settings that would let a
// meeting exceed the ceiling are refused naming the length to raise, and so
// are meetings that would.
func TestGuessCeilingRefusesWeakSettings(t *testing.T) {
	svc, host, _ := mustService(t, rand.Reader)
	ctx := context.Background()
	_, err := svc.UpdateAccountSecurity(ctx, host, &admit.AccountSecurityInput{GuessCeiling: ptr(1e-8)})
	if admit.ErrorField(err) != "passcode_policy.pin_length" {
		t.Fatalf("ceiling 1e-8 with 12-digit PINs: %v; want pin_length named", err)
	}
	pol := admit.DefaultPasscodePolicy()
	pol.PINLength = 14
	sec, err := svc.UpdateAccountSecurity(ctx, host, &admit.AccountSecurityInput{GuessCeiling: ptr(1e-8),
		SecurityInput: admit.SecurityInput{PasscodePolicy: &pol}})
	if err != nil || sec.GuessCeiling != 1e-8 {
		t.Fatalf("ceiling 1e-8 with 14-digit PINs: %+v, %v", sec, err)
	}
	_, err = svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0), Security: &admit.SecurityInput{PasscodeValue: ptr("48151623")}})
	if admit.ErrorField(err) != "security.passcode_value" {
		t.Errorf("8-digit passcode under ceiling 1e-8: %v; want security.passcode_value", err)
	}
	_, err = svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0), Security: &admit.SecurityInput{Passcode: ptr(admit.PasscodeNone)}})
	if admit.ErrorField(err) != "security.passcode" {
		t.Errorf("no passcode and no waiting room: %v; want security.passcode", err)
	}
	if _, err := svc.UpdateAccountSecurity(ctx, host, &admit.AccountSecurityInput{GuessBudget: ptr(0)}); admit.ErrorField(err) != "guess_budget" {
		t.Errorf("guess_budget 0: %v", err)
	}
	if _, err := svc.UpdateAccountSecurity(ctx, host, &admit.AccountSecurityInput{GuessCeiling: ptr(0.5)}); admit.ErrorField(err) != "guess_ceiling" {
		t.Errorf("guess_ceiling 0.5: %v", err)
	}
}

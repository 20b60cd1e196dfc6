package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
)

const caller = "+15557654321"

func nextEvent(t *testing.T, ch <-chan admit.PhoneEvent) admit.PhoneEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("the follow ended without an event")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return admit.PhoneEvent{}
}

// TestPhoneJoin: a caller's PIN names them as the invitation does; a caller
// with the phone passcode is "Caller ending 4321"; neither source keeps the
// full number; the host's removal is told to the gateway.
func TestPhoneJoin(t *testing.T) {
	svc, host, _ := mustService(t, rand.Reader)
	ctx := context.Background()
	m, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0), Invitees: []*admit.InviteeInput{{Name: "Grace"}}})
	if err != nil {
		t.Fatal(err)
	}
	ph := &app.PhoneAdmitter{Service: svc, Poll: 50 * time.Millisecond}

	res, err := ph.Join(ctx, admit.PhoneJoinRequest(m.MeetingID, m.Invitees[0].PIN, caller))
	if err != nil || res.Status != admit.StatusAdmitted {
		t.Fatalf("PIN join: %v, %v", res, err)
	}
	if res.Participant.DisplayName != "Grace" || res.Participant.Channel != admit.ChannelPhone {
		t.Errorf("PIN join: name %q, channel %q; want Grace, phone", res.Participant.DisplayName, res.Participant.Channel)
	}
	res, err = ph.Join(ctx, admit.PhoneJoinRequest(m.MeetingID, m.PhonePasscode, "+4420794600004321"))
	if err != nil || res.Status != admit.StatusAdmitted || res.AdmissionToken == "" {
		t.Fatalf("phone passcode join: %v, %v", res, err)
	}
	if res.Participant.DisplayName != "Caller ending 4321" {
		t.Errorf("name %q, want Caller ending 4321", res.Participant.DisplayName)
	}
	roster, err := svc.Roster(ctx, host, m.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range roster.Participants {
		if strings.Contains(p.Source, "5557654321") || strings.Contains(p.Source, "794600004321") {
			t.Errorf("roster source %q holds the full number", p.Source)
		}
	}

	events, err := ph.Follow(ctx, res.Participant.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, events); ev.Status != admit.StatusAdmitted || ev.AdmissionToken == "" {
		t.Errorf("first event %+v, want the status now: admitted, with a token", ev)
	}
	if _, err := svc.Decide(ctx, host, m.ID, rosterHandle(t, svc, host, m.ID, "Caller ending 4321"), admit.DecisionRemove); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, events); ev.Status != admit.StatusRemoved {
		t.Errorf("event %+v, want removed", ev)
	}
	if _, err := ph.Follow(ctx, "nope"); admit.ErrorCode(err) != admit.ENOTFOUND {
		t.Errorf("Follow(unknown) = %v, want ENOTFOUND", err)
	}
}

// TestPhoneWaitingRoom: a waiting caller is told of the host's admission
// with a token; their hang-up ends their attendance; the End of the meeting
// is told too.
func TestPhoneWaitingRoom(t *testing.T) {
	svc, host, _ := mustService(t, rand.Reader)
	ctx := context.Background()
	m, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0), Security: &admit.SecurityInput{WaitingRoom: ptr(true)}})
	if err != nil {
		t.Fatal(err)
	}
	ph := &app.PhoneAdmitter{Service: svc, Poll: 50 * time.Millisecond}
	res, err := ph.Join(ctx, admit.PhoneJoinRequest(m.MeetingID, m.PhonePasscode, caller))
	if err != nil || res.Status != admit.StatusWaiting {
		t.Fatalf("join: %v, %v; want waiting", res, err)
	}
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := ph.Follow(fctx, res.Participant.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Decide(ctx, host, m.ID, rosterHandle(t, svc, host, m.ID, "Caller ending 4321"), admit.DecisionAdmit); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, events); ev.Status != admit.StatusAdmitted || ev.AdmissionToken == "" {
		t.Errorf("event %+v, want admitted with a token", ev)
	}
	if err := ph.Leave(ctx, res.Participant.ID); err != nil {
		t.Fatal(err)
	}
	if err := ph.Leave(ctx, res.Participant.ID); err != nil {
		t.Errorf("a second Leave: %v, want nil", err)
	}
	att, err := svc.Attendance(ctx, host, m.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(att.Rows) != 1 || att.Rows[0].LeftAt == nil {
		t.Errorf("attendance %+v, want the caller with a leaving time", att.Rows)
	}

	res, err = ph.Join(ctx, admit.PhoneJoinRequest(m.MeetingID, m.PhonePasscode, caller))
	if err != nil {
		t.Fatal(err)
	}
	events, err = ph.Follow(fctx, res.Participant.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.EndMeeting(ctx, host, m.ID, 0); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, events); !ev.Ended {
		t.Errorf("event %+v, want the meeting's end", ev)
	}
}

// TestPhoneRefusalsCountPerNumber: a caller's wrong passcodes count against
// their number, as a web source's do, whatever trunk address they come by.
func TestPhoneRefusalsCountPerNumber(t *testing.T) {
	svc, host, _ := mustService(t, rand.Reader)
	ctx := context.Background()
	m, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0)})
	if err != nil {
		t.Fatal(err)
	}
	ph := &app.PhoneAdmitter{Service: svc}
	var last error
	for i := 0; i < 100; i++ {
		_, last = ph.Join(ctx, admit.PhoneJoinRequest(m.MeetingID, "000000", caller))
		if admit.ErrorCode(last) == admit.ERATELIMITED {
			break
		}
	}
	if admit.ErrorCode(last) != admit.ERATELIMITED {
		t.Fatalf("100 wrong passcodes from one number: %v, want ERATELIMITED", last)
	}
	if _, err := ph.Join(ctx, admit.PhoneJoinRequest(m.MeetingID, m.PhonePasscode, "+15550000000")); err != nil {
		t.Errorf("another number: %v, want admitted", err)
	}
}

// rosterHandle returns the handle of the participant named name on the
// meeting's roster: hosts act on handles, not on participants' bearer IDs.
func rosterHandle(t *testing.T, svc *app.Service, host *admit.Actor, id, name string) string {
	t.Helper()
	r, err := svc.Roster(context.Background(), host, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range [][]*admit.Participant{r.Participants, r.Waiting} {
		for _, p := range ps {
			if p.DisplayName == name {
				return p.ID
			}
		}
	}
	t.Fatalf("no %q on the roster", name)
	return ""
}

// TestPhoneCallerNumberSealed: a caller's full number is stored sealed (the
// stored bytes are not the number, nor hold it), opens to the number, is
// sealed again by Reseal, and shows nowhere in the roster, the attempts,
// the audit trail or the logs; a web participant has no sealed number.
func TestPhoneCallerNumberSealed(t *testing.T) {
	svc, host, _ := mustService(t, rand.Reader)
	var logs bytes.Buffer
	svc.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	m, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0)})
	if err != nil {
		t.Fatal(err)
	}
	ph := &app.PhoneAdmitter{Service: svc}
	const number = "+15557654321"
	if _, err := ph.Join(ctx, admit.PhoneJoinRequest(m.MeetingID, "000000", number)); admit.ErrorCode(err) != admit.EREFUSED {
		t.Fatalf("wrong passcode: %v, want EREFUSED", err)
	}
	res, err := ph.Join(ctx, admit.PhoneJoinRequest(m.MeetingID, m.PhonePasscode, number))
	if err != nil {
		t.Fatalf("phone join: %v", err)
	}
	_ = res
	p, err := svc.Store.FindParticipant(ctx, rosterHandle(t, svc, host, m.ID, "Caller ending 4321"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.CallerSealed) == 0 {
		t.Fatal("no sealed caller number stored")
	}
	if bytes.Equal(p.CallerSealed, []byte(number)) || bytes.Contains(p.CallerSealed, []byte("5557654321")) {
		t.Errorf("stored caller number %q holds the plain number", p.CallerSealed)
	}
	if got, err := svc.CallerNumber(p); err != nil || got != number {
		t.Errorf("CallerNumber = %q, %v; want %q", got, err, number)
	}
	// Sealed to this participant: another's ID does not open it.
	other := *p
	other.ID = "p-other"
	if _, err := svc.CallerNumber(&other); err == nil {
		t.Error("the sealed number opened for another participant's ID")
	}

	// Reseal walks it, and it still opens.
	st, err := svc.Reseal(ctx, func([]byte) bool { return true })
	if err != nil {
		t.Fatalf("Reseal: %v", err)
	}
	if st.Resealed == 0 {
		t.Errorf("Reseal: %+v, want the caller number among what was resealed", st)
	}
	p2, err := svc.Store.FindParticipant(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(p2.CallerSealed, p.CallerSealed) {
		t.Error("Reseal left the caller number as it was")
	}
	if got, err := svc.CallerNumber(p2); err != nil || got != number {
		t.Errorf("after Reseal, CallerNumber = %q, %v; want %q", got, err, number)
	}

	web, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.Passcode, Name: "Web", Channel: admit.ChannelWeb, Source: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	_ = web
	if wp, err := svc.Store.FindParticipant(ctx, rosterHandle(t, svc, host, m.ID, "Web")); err != nil || len(wp.CallerSealed) != 0 {
		t.Errorf("web participant: sealed number %q, %v; want none", wp.CallerSealed, err)
	}

	// Shown masked only: the roster, the attempts, the audit trail, the logs.
	roster, err := svc.Roster(ctx, host, m.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := json.Marshal(roster)
	stored, err := svc.Store.FindMeetingByID(ctx, host.User.AccountID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	attempts, err := svc.Store.FindAttempts(ctx, stored.PK, 0)
	if err != nil || len(attempts) < 2 {
		t.Fatalf("attempts: %d, %v; want the refusal and the join", len(attempts), err)
	}
	a, _ := json.Marshal(attempts)
	events, err := svc.Store.FindEvents(ctx, admit.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := json.Marshal(events)
	for what, b := range map[string][]byte{"roster": shown, "attempts": a, "audit trail": e, "logs": logs.Bytes()} {
		if bytes.Contains(b, []byte("5557654321")) {
			t.Errorf("the %s holds the full number: %s", what, b)
		}
	}
	if !bytes.Contains(shown, []byte("Caller ending 4321")) {
		t.Errorf("roster %s does not name the caller by the last four digits", shown)
	}
}

// TestPhoneJoinOtherAccount: a caller of another account's dial-in number
// (JoinRequest.AccountID) is refused with the right meeting ID and passcode,
// with the very error of a wrong passcode, and the attempt is recorded as
// such; a caller of the meeting's account's number is admitted.
func TestPhoneJoinOtherAccount(t *testing.T) {
	svc, host, _ := mustService(t, rand.Reader)
	ctx := context.Background()
	m, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0)})
	if err != nil {
		t.Fatal(err)
	}
	ph := &app.PhoneAdmitter{Service: svc}
	own, other := host.User.AccountID, host.User.AccountID+1

	wrong := admit.PhoneJoinRequest(m.MeetingID, "000000", caller)
	wrong.AccountID = own
	_, wrongErr := ph.Join(ctx, wrong)
	if admit.ErrorCode(wrongErr) != admit.EREFUSED {
		t.Fatalf("wrong passcode: %v, want EREFUSED", wrongErr)
	}
	req := admit.PhoneJoinRequest(m.MeetingID, m.PhonePasscode, caller)
	req.AccountID = other
	res, err := ph.Join(ctx, req)
	if err == nil || err.Error() != wrongErr.Error() {
		t.Fatalf("another account's number: %v, %v; want the refusal of a wrong passcode, %v", res, err, wrongErr)
	}
	stored, err := svc.Store.FindMeetingByID(ctx, own, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	atts, err := svc.Store.FindAttempts(ctx, stored.PK, 1)
	if err != nil || len(atts) != 1 || atts[0].Reason != admit.ReasonOtherAccount || atts[0].Outcome != admit.OutcomeRefused {
		t.Errorf("last attempt %+v, %v; want refused, %s", atts, err, admit.ReasonOtherAccount)
	}
	req.AccountID = own
	if res, err := ph.Join(ctx, req); err != nil || res.Status != admit.StatusAdmitted {
		t.Errorf("the meeting's account's number: %v, %v; want admitted", res, err)
	}
	req.AccountID = 0 // a number of no account reaches every account
	if res, err := ph.Join(ctx, req); err != nil || res.Status != admit.StatusAdmitted {
		t.Errorf("a number of no account: %v, %v; want admitted", res, err)
	}
}

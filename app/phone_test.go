package app_test

import (
	"context"
	"crypto/rand"
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

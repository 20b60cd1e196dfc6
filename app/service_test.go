package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/admittest"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/clock"
)

// lowEntropy is a randomness source whose bytes are 0 or 1 only: every digit
// drawn from it is 0 or 1, so meeting numbers, access codes and PINs collide
// often. Reads of exactly 10 bytes (admit.RandomID's 80-bit public
// identifiers, unique by a plain UNIQUE constraint) are left random: this
// source aims at the numeric spaces whose uniqueness rules the store keeps.
type lowEntropy struct{}

func (lowEntropy) Read(p []byte) (int, error) {
	if _, err := rand.Read(p); err != nil {
		return 0, err
	}
	if len(p) == 10 {
		return len(p), nil
	}
	for i := range p {
		p[i] &= 1
	}
	return len(p), nil
}

var t0 = time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)

// serviceOn returns a Service on the SQLite file at path (several may share
// one file, as the server and the CLI do), with fixed keys and a FixedClock
// at t0.
func serviceOn(tb testing.TB, path string, r io.Reader) *app.Service {
	tb.Helper()
	svc, _ := admittest.Service(tb, admittest.Options{Path: path, Clock: clock.NewFixedClock(t0), Rand: r,
		MasterKey: bytes.Repeat([]byte{9}, 32), SignerFromRing: true})
	return svc
}

// mustService returns a Service on a new SQLite store, with a host actor.
func mustService(tb testing.TB, r io.Reader) (*app.Service, *admit.Actor, *clock.FixedClock) {
	tb.Helper()
	svc := serviceOn(tb, filepath.Join(tb.TempDir(), "admit.db"), r)
	clock := svc.Clock.(*clock.FixedClock)
	u := admittest.Owner(tb, svc, "host@example.com", "Host")
	return svc, &admit.Actor{User: u, Source: "test"}, clock
}

func ptr[T any](v T) *T { return &v }

// TestConcurrentSchedulingWithCollisions schedules many overlapping meetings
// at once from a source that makes meeting numbers and access codes collide,
// and checks that every meeting got a number and code of its own.
func TestConcurrentSchedulingWithCollisions(t *testing.T) {
	svc, host, _ := mustService(t, lowEntropy{})
	ctx := context.Background()
	const n = 40 // of 1,024 possible numbers and 256 possible 8-digit codes
	var wg sync.WaitGroup
	var mu sync.Mutex
	numbers, codes := map[string]bool{}, map[string]bool{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Kind: ptr(admit.KindScheduled), Start: ptr(t0.Add(time.Hour)),
				Security: &admit.SecurityInput{AccessCodeLength: ptr(8)}})
			if err != nil {
				t.Errorf("CreateMeeting: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if numbers[v.MeetingID] {
				t.Errorf("meeting number %s issued twice", v.MeetingID)
			}
			if c := v.Occurrences[0].AccessCode; codes[c] {
				t.Errorf("access code %s given to two overlapping occurrences", c)
			} else {
				codes[c] = true
			}
			numbers[v.MeetingID] = true
		}()
	}
	wg.Wait()
	if len(numbers) != n || len(codes) != n {
		t.Errorf("%d numbers and %d codes for %d meetings", len(numbers), len(codes), n)
	}
}

// TestDeletedNumberNeverReissued fills the low-entropy number space's use
// after deletion: a deleted meeting's number is not drawn again.
func TestDeletedNumberNeverReissued(t *testing.T) {
	svc, host, _ := mustService(t, lowEntropy{})
	ctx := context.Background()
	first, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteMeeting(ctx, host, first.ID); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(time.Hour)), Security: &admit.SecurityInput{AccessCode: ptr(false)}})
		if err != nil {
			t.Fatal(err)
		}
		if v.MeetingID == first.MeetingID {
			t.Fatalf("deleted meeting's number %s issued again", first.MeetingID)
		}
	}
}

func TestCodeQuarantine(t *testing.T) {
	// A late joiner types an expired code ten days on: refused, like any
	// invalid code (the code stays reserved, so it cannot lead elsewhere).
	svc, host, clock := mustService(t, rand.Reader)
	ctx := context.Background()
	a, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(10 * 24 * time.Hour))
	_, err = svc.Join(ctx, &admit.JoinRequest{AccessCode: a.Occurrences[0].AccessCode, Passcode: a.Passcode})
	if admit.ErrorCode(err) != admit.EREFUSED {
		t.Errorf("expired code 10 days on: %v, want refused", err)
	}
}

func TestHostChosenPasscode(t *testing.T) {
	svc, host, _ := mustService(t, rand.Reader)
	ctx := context.Background()
	v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(time.Hour)),
		Security: &admit.SecurityInput{PasscodeValue: ptr("Sunflower42")}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Passcode != "Sunflower42" || len(v.PhonePasscode) < 8 {
		t.Errorf("passcode %q, phone form %q", v.Passcode, v.PhonePasscode)
	}
	_, err = svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(time.Hour)),
		Security: &admit.SecurityInput{PasscodeValue: ptr("111111")}})
	if admit.ErrorField(err) != "security.passcode_value" {
		t.Errorf("weak passcode: %v", err)
	}
	// The phone form admits on the phone.
	clock := svc.Clock.(*clock.FixedClock)
	clock.Set(t0.Add(time.Hour))
	r, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: v.MeetingID, Passcode: v.PhonePasscode, Channel: admit.ChannelPhone})
	if err != nil || r.Status != admit.StatusAdmitted {
		t.Errorf("phone form join: %v", err)
	}
}

func TestUpdateMeeting(t *testing.T) {
	svc, host, clock := mustService(t, rand.Reader)
	ctx := context.Background()
	v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(2 * time.Hour)),
		Invitees: []*admit.InviteeInput{{Name: "Grace"}}})
	if err != nil {
		t.Fatal(err)
	}
	code := v.Occurrences[0].AccessCode
	// Moving the meeting keeps its code and moves its window.
	u, err := svc.UpdateMeeting(ctx, host, v.ID, &admit.MeetingInput{Start: ptr(t0.Add(3 * time.Hour)), Topic: ptr("Moved")})
	if err != nil {
		t.Fatal(err)
	}
	if u.Occurrences[0].AccessCode != code || !u.Occurrences[0].Start.Equal(t0.Add(3*time.Hour)) || u.Topic != "Moved" {
		t.Errorf("after the move: code %q (was %q), start %v, topic %q", u.Occurrences[0].AccessCode, code, u.Occurrences[0].Start, u.Topic)
	}
	// Switching to unique passcodes gives the invitee one and drops the shared one.
	u, err = svc.UpdateMeeting(ctx, host, v.ID, &admit.MeetingInput{Security: &admit.SecurityInput{Passcode: ptr(admit.PasscodeUnique)}})
	if err != nil {
		t.Fatal(err)
	}
	if u.Passcode != "" || u.Invitees[0].Passcode == "" {
		t.Errorf("unique mode: shared %q, invitee %q", u.Passcode, u.Invitees[0].Passcode)
	}
	clock.Set(t0.Add(3 * time.Hour))
	if _, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: v.MeetingID, Passcode: v.Passcode}); admit.ErrorCode(err) != admit.EREFUSED {
		t.Errorf("old shared passcode after switching to unique: %v", err)
	}
	r, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: v.MeetingID, Passcode: u.Invitees[0].Passcode})
	if err != nil || r.Participant.DisplayName != "Grace" {
		t.Errorf("unique passcode join: %+v, %v", r, err)
	}
	// Once open, the schedule is fixed.
	if _, err := svc.UpdateMeeting(ctx, host, v.ID, &admit.MeetingInput{Start: ptr(t0.Add(5 * time.Hour))}); admit.ErrorCode(err) != admit.ECONFLICT {
		t.Errorf("moving an open meeting: %v, want ECONFLICT", err)
	}
	// Invitees added later get credentials.
	u, err = svc.UpdateMeeting(ctx, host, v.ID, &admit.MeetingInput{Invitees: []*admit.InviteeInput{{Name: "Alan", Email: "alan@example.com"}}})
	if err != nil || len(u.Invitees) != 2 || u.Invitees[1].PIN == "" || u.Invitees[1].Passcode == "" {
		t.Errorf("added invitee: %+v, %v", u.Invitees, err)
	}
}

func TestCodeViewIsAudited(t *testing.T) {
	svc, host, _ := mustService(t, rand.Reader)
	ctx := context.Background()
	v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ShowMeeting(ctx, host, v.MeetingID); err != nil {
		t.Fatal(err)
	}
	evs, err := svc.Events(ctx, host, admit.EventFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range evs {
		found = found || e.Action == "code.view" && e.Target == "meeting:"+v.ID
	}
	if !found {
		t.Errorf("no code.view event among %d events", len(evs))
	}
	// Lists do not show codes.
	list, _ := svc.ListMeetings(ctx, host, time.Time{}, time.Time{})
	for _, m := range list {
		if m.Passcode != "" || len(m.Occurrences) > 0 && m.Occurrences[0].AccessCode != "" {
			t.Errorf("list shows secrets of %s", m.ID)
		}
	}
}

func TestEveryAttemptIsRecorded(t *testing.T) {
	svc, _, _ := mustService(t, rand.Reader)
	ctx := context.Background()
	// Attempts that name no meeting are kept under meeting 0.
	reqs := []*admit.JoinRequest{
		{MeetingID: "12345", Source: "192.0.2.1"},                              // malformed
		{MeetingID: "12345678901", Passcode: "x", Source: "192.0.2.2"},         // unknown meeting
		{AccessCode: "123456789", Source: "192.0.2.3", Channel: "phone"},       // unknown code
		{Token: "AAAAAAAAAAAAAAAAAAAAAA", Source: "192.0.2.4", Channel: "app"}, // unknown token
	}
	for _, r := range reqs {
		if _, err := svc.Join(ctx, r); err == nil {
			t.Fatalf("join %+v succeeded", r)
		}
	}
	ats, err := svc.Store.FindAttempts(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ats) != len(reqs) {
		t.Fatalf("%d attempts recorded, want %d", len(ats), len(reqs))
	}
	want := map[string]string{"192.0.2.1": "invalid meeting_id", "192.0.2.2": admit.ReasonUnknownMeeting,
		"192.0.2.3": admit.ReasonUnknownAccessCode, "192.0.2.4": admit.ReasonUnknownToken}
	for _, a := range ats {
		if want[a.Source] != a.Reason {
			t.Errorf("attempt from %s: reason %q, want %q", a.Source, a.Reason, want[a.Source])
		}
	}
}

// TestOccurrenceSelection joins a daily series whose windows overlap (a
// 23½-hour meeting with 30 minutes of early join and grace: each window
// closes 30 minutes after the next one opens) at instants around its edges,
// and checks which occurrence each join lands in.
func TestOccurrenceSelection(t *testing.T) {
	svc, host, clock := mustService(t, rand.Reader)
	ctx := context.Background()
	start := t0.Add(2 * time.Hour) // 10:00, daily
	v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Kind: ptr(admit.KindRecurring), Start: &start,
		DurationMinutes: ptr(23*60 + 30), Recurrence: &admit.Recurrence{Freq: "daily", Count: 3},
		Security: &admit.SecurityInput{EarlyJoinMinutes: ptr(30), GraceMinutes: ptr(30)}})
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	cases := []struct {
		at   time.Duration // after the first start
		want int           // occurrence, or 0 for not open, -1 for ended
	}{
		{-31 * time.Minute, 0},
		{-30 * time.Minute, 1},
		{22 * time.Hour, 1},
		{day - 30*time.Minute, 1}, // both windows open: the earlier start wins
		{day - time.Minute, 1},
		{day, 2}, // occurrence 1 has closed
		{2*day - 31*time.Minute, 2},
		{3*day - time.Minute, 3},
		{3 * day, -1},
	}
	for _, c := range cases {
		clock.Set(start.Add(c.at))
		r, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: v.MeetingID, Passcode: v.Passcode, Source: "192.0.2.1"})
		switch {
		case c.want > 0 && (err != nil || r.Meeting.Occurrence != c.want):
			t.Errorf("at %v: %+v, %v; want occurrence %d", c.at, r, err, c.want)
		case c.want == 0 && admit.ErrorCode(err) != admit.ENOTOPEN:
			t.Errorf("at %v: %v; want not_open", c.at, err)
		case c.want == -1 && admit.ErrorCode(err) != admit.EENDED:
			t.Errorf("at %v: %v; want ended", c.at, err)
		}
	}
	// Ending occurrence 2 early: a join in its window is told when the next
	// one opens.
	clock.Set(start.Add(day + time.Hour))
	if _, err := svc.EndMeeting(ctx, host, v.ID, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: v.MeetingID, Passcode: v.Passcode, Source: "192.0.2.1"}); admit.ErrorCode(err) != admit.ENOTOPEN {
		t.Errorf("after ending occurrence 2: %v; want not_open (occurrence 3 is next)", err)
	}
}

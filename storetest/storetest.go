package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// Run runs the conformance suite. open must return a new, empty store; the
// suite closes it.
func Run(t *testing.T, open func(tb testing.TB) admit.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *fixture)
	}{
		{"Accounts", testAccounts},
		{"Users", testUsers},
		{"APITokens", testAPITokens},
		{"Contacts", testContacts},
		{"Passwords", testPasswords},
		{"UpdateUser", testUpdateUser},
		{"DeleteUser", testDeleteUser},
		{"Sessions", testSessions},
		{"OneTimeLinks", testOneTimeLinks},
		{"Concurrent/OneTimeLink", testConcurrentOneTimeLink},
		{"Concurrent/SetupLinks", testSetupLinksUseEachOther},
		{"Events", testEvents},
		{"AuditAppend", testAuditAppend},
		{"AuditAppend/Concurrent", testAuditConcurrent},
		{"SaveMeeting/Insert", testSaveMeetingInsert},
		{"SaveMeeting/Update", testSaveMeetingUpdate},
		{"SaveMeeting/Invitees", testSaveMeetingInvitees},
		{"SaveMeeting/NumberConflict", testNumberConflict},
		{"SaveMeeting/AccessCodeConflict", testAccessCodeConflict},
		{"SaveMeeting/CredentialConflict", testCredentialConflict},
		{"SaveMeeting/NothingHalfWritten", testNothingHalfWritten},
		{"FindMeetings", testFindMeetings},
		{"DeleteMeeting", testDeleteMeeting},
		{"EndOccurrence", testEndOccurrence},
		{"PersonalRoom", testPersonalRoom},
		{"FindJoinData", testFindJoinData},
		{"FindJoinData/Occurrences", testFindJoinDataOccurrences},
		{"FindJoinData/Credentials", testFindJoinDataCredentials},
		{"LoadDirectory", testLoadDirectory},
		{"LoadDirectory/Reservation", testLoadDirectoryReservation},
		{"MeetingChanges", testMeetingChanges},
		{"MeetingChanges/NotJoins", testMeetingChangesNotJoins},
		{"MeetingChanges/Many", testMeetingChangesMany},
		{"Admit", testAdmit},
		{"Admit/Naming", testAdmitNaming},
		{"Admit/MaxUses", testAdmitMaxUses},
		{"Admit/CallerSealed", testCallerSealed},
		{"RecordAttempt", testRecordAttempt},
		{"GuessBudget", testGuessBudget},
		{"Concurrent/GuessBudget", testConcurrentGuessBudget},
		{"TransitionParticipant", testTransitionParticipant},
		{"Concurrent/Numbers", testConcurrentNumbers},
		{"Concurrent/AccessCodes", testConcurrentAccessCodes},
		{"Concurrent/MaxUses", testConcurrentMaxUses},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newFixture(t, open))
		})
	}
}

// T0 is the suite's reference time: the start of the first occurrence of
// most test meetings.
var T0 = time.Date(2030, time.March, 4, 15, 0, 0, 0, time.UTC)

// fixture is a fresh store with one account and one host.
type fixture struct {
	s       admit.Store
	ctx     context.Context
	account *admit.Account
	host    *admit.User
}

var seq atomic.Int64

// uniq returns a string unique within the test binary.
func uniq(prefix string) string { return fmt.Sprintf("%s%d", prefix, seq.Add(1)) }

func newFixture(t *testing.T, open func(tb testing.TB) admit.Store) *fixture {
	t.Helper()
	s := open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	f := &fixture{s: s, ctx: context.Background()}
	f.account = &admit.Account{Name: "Acme", Plan: admit.PlanPro, Security: admit.DefaultAccountSecurity()}
	must(t, s.CreateAccount(f.ctx, f.account))
	f.host = f.user(t, "host@example.com")
	return f
}

// user creates a user of the fixture's account.
func (f *fixture) user(t *testing.T, email string) *admit.User {
	t.Helper()
	u := &admit.User{AccountID: f.account.ID, Email: email, Name: "Host", Role: admit.RoleOwner, Timezone: "UTC"}
	must(t, f.s.CreateUser(f.ctx, u))
	return u
}

// secret returns a Secret whose index and sealed copy derive from v.
func secret(v string) *admit.Secret {
	return &admit.Secret{Index: []byte("index:" + v), Sealed: []byte("sealed:" + v)}
}

// occ returns occurrence index starting at start (60 minutes, opening 15
// minutes early, closing 30 minutes late) with the access code (none when
// code is "").
func occ(index int, start time.Time, code string) *admit.Occurrence {
	o := admit.NewOccurrence(index, start, 60, admit.DefaultSecurity())
	if code != "" {
		o.AccessCode = secret(code)
	}
	return o
}

// meeting returns an unsaved scheduled meeting of the fixture's host with
// the number, a shared passcode and the occurrences.
func (f *fixture) meeting(number string, occs ...*admit.Occurrence) *admit.Meeting {
	m := &admit.Meeting{
		ID:          uniq("m"),
		AccountID:   f.account.ID,
		HostID:      f.host.ID,
		Number:      number,
		Topic:       "Topic " + number,
		Kind:        admit.KindScheduled,
		Duration:    60,
		Timezone:    "Europe/Paris",
		Security:    admit.DefaultSecurity(),
		Passcode:    secret("passcode-" + number),
		PwdIndex:    []byte("pwd-" + number),
		Occurrences: occs,
	}
	if len(occs) > 0 {
		m.Start = occs[0].Start
	}
	if len(occs) > 1 {
		m.Kind = admit.KindRecurring
		m.Recurrence = &admit.Recurrence{Freq: "daily", Interval: 1, Count: len(occs)}
	}
	return m
}

// save saves m at T0, failing the test on error.
func (f *fixture) save(t *testing.T, m *admit.Meeting) {
	t.Helper()
	must(t, f.s.SaveMeeting(f.ctx, m, T0.Add(-24*time.Hour)))
}

// participant returns an unsaved participant of the occurrence.
func participant(o *admit.Occurrence, inviteePK int64, name string, at time.Time) *admit.Participant {
	return &admit.Participant{
		ID: uniq("p"), OccurrencePK: o.PK, InviteePK: inviteePK, BaseName: name,
		Channel: admit.ChannelWeb, Source: "192.0.2.1", State: admit.StateAdmitted, JoinedAt: at,
	}
}

// admission returns an admission of p with its attempt.
func admission(m *admit.Meeting, o *admit.Occurrence, p *admit.Participant) *admit.Admission {
	return &admit.Admission{
		Participant: p,
		Attempt: &admit.Attempt{At: p.JoinedAt, MeetingPK: m.PK, OccurrencePK: o.PK, Occurrence: o.Index,
			Channel: p.Channel, Source: p.Source, Method: "meeting_id", Outcome: admit.OutcomeAdmitted},
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails the test unless err is an *admit.Error with the code (and
// the field, when field is not "").
func wantCode(t testing.TB, err error, code, field string) *admit.Error {
	t.Helper()
	var e *admit.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *admit.Error with code %q", err, code)
	}
	if e.Code != code || (field != "" && e.Field != field) {
		t.Fatalf("err = %v (code %q, field %q), want code %q, field %q", err, e.Code, e.Field, code, field)
	}
	return e
}

func sameTime(a, b time.Time) bool { return a.Equal(b) }

func sameSecret(a, b *admit.Secret) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return string(a.Index) == string(b.Index) && string(a.Sealed) == string(b.Sealed)
}

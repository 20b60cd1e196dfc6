package storetest

import (
	"testing"
	"time"

	"github.com/admit-project/admit"
)

func testFindJoinMeeting(t *testing.T, f *fixture) {
	m := f.meeting("81234567960", occ(1, T0, "join-code"))
	m.PhonePasscode = secret("join-phone")
	m.Invitees = []*admit.Invitee{{ID: uniq("i"), Name: "Ann", Token: secret("join-tok")}}
	f.save(t, m)

	for _, find := range []func() (*admit.Meeting, error){
		func() (*admit.Meeting, error) { return f.s.FindJoinMeeting(f.ctx, m.Number) },
		func() (*admit.Meeting, error) { return f.s.FindJoinMeetingByPK(f.ctx, m.PK) },
	} {
		got, err := find()
		must(t, err)
		if got.PK != m.PK || got.ID != m.ID || got.Number != m.Number || got.AccountID != f.account.ID ||
			got.HostID != f.host.ID || got.Topic != m.Topic || string(got.PwdIndex) != string(m.PwdIndex) ||
			!got.Security.AccessCode {
			t.Errorf("join meeting = %+v", got)
		}
		if got.Passcode == nil || string(got.Passcode.Index) != string(m.Passcode.Index) ||
			got.PhonePasscode == nil || string(got.PhonePasscode.Index) != string(m.PhonePasscode.Index) {
			t.Errorf("join meeting passcodes = %+v, %+v", got.Passcode, got.PhonePasscode)
		}
		if len(got.Occurrences) != 0 || len(got.Invitees) != 0 {
			t.Errorf("join meeting has %d occurrences and %d invitees, want none", len(got.Occurrences), len(got.Invitees))
		}
	}
	_, err := f.s.FindJoinMeeting(f.ctx, "89999999999")
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.FindJoinMeetingByPK(f.ctx, m.PK+1000)
	wantCode(t, err, admit.ENOTFOUND, "")

	// Without a passcode.
	open := f.meeting("81234567961", occ(1, T0, ""))
	open.Passcode = nil
	f.save(t, open)
	got, err := f.s.FindJoinMeeting(f.ctx, open.Number)
	must(t, err)
	if got.Passcode != nil || got.PhonePasscode != nil {
		t.Errorf("meeting without passcode has %+v, %+v", got.Passcode, got.PhonePasscode)
	}
}

func testFindOccurrenceAt(t *testing.T, f *fixture) {
	o1, o2, o3 := occ(1, T0, "at-1"), occ(2, T0.Add(day), "at-2"), occ(3, T0.Add(2*day), "at-3")
	m := f.meeting("81234567970", o1, o2, o3)
	f.save(t, m)

	tests := []struct {
		name       string
		at         time.Time
		open, next int // indexes; 0 for nil
	}{
		{"long before", T0.Add(-day), 0, 1},
		{"before early join", o1.OpensAt.Add(-time.Second), 0, 1},
		{"at early join", o1.OpensAt, 1, 2},
		{"during", T0.Add(30 * time.Minute), 1, 2},
		{"in grace", o1.End.Add(10 * time.Minute), 1, 2},
		{"at close", o1.ClosesAt, 0, 2},
		{"between", T0.Add(12 * time.Hour), 0, 2},
		{"last", T0.Add(2*day + time.Minute), 3, 0},
		{"after all", T0.Add(10 * day), 0, 0},
	}
	for _, tt := range tests {
		open, next, err := f.s.FindOccurrenceAt(f.ctx, m.PK, tt.at)
		must(t, err)
		if index(open) != tt.open || index(next) != tt.next {
			t.Errorf("%s: FindOccurrenceAt = open %d, next %d; want %d, %d", tt.name, index(open), index(next), tt.open, tt.next)
		}
		if open != nil && (open.MeetingPK != m.PK || open.AccessCode == nil || open.PK == 0) {
			t.Errorf("%s: open occurrence = %+v", tt.name, open)
		}
	}

	// Overlapping windows: the earliest starting is open.
	a, b := occ(1, T0.Add(100*day), ""), occ(2, T0.Add(100*day+30*time.Minute), "")
	lap := f.meeting("81234567971", b, a)
	f.save(t, lap)
	open, _, err := f.s.FindOccurrenceAt(f.ctx, lap.PK, T0.Add(100*day+40*time.Minute))
	must(t, err)
	if index(open) != 1 {
		t.Errorf("overlapping windows: open = %d, want 1", index(open))
	}
	// Once ended, it no longer is.
	must(t, f.s.EndOccurrence(f.ctx, a.PK, T0.Add(100*day+45*time.Minute)))
	open, _, err = f.s.FindOccurrenceAt(f.ctx, lap.PK, T0.Add(100*day+50*time.Minute))
	must(t, err)
	if index(open) != 2 {
		t.Errorf("after ending 1: open = %d, want 2", index(open))
	}
}

func index(o *admit.Occurrence) int {
	if o == nil {
		return 0
	}
	return o.Index
}

func testFindAccessCode(t *testing.T, f *fixture) {
	o := occ(1, T0, "find-code")
	m := f.meeting("81234567980", o)
	f.save(t, m)
	code := secret("find-code").Index

	_, err := f.s.FindAccessCode(f.ctx, code, o.ReservedFrom().Add(-time.Second))
	wantCode(t, err, admit.ENOTFOUND, "")
	for _, at := range []time.Time{o.ReservedFrom(), T0, o.ClosesAt.Add(day), o.ReservedUntil().Add(-time.Second)} {
		match, err := f.s.FindAccessCode(f.ctx, code, at)
		must(t, err)
		if match.Revoked || match.Occurrence.PK != o.PK || match.Occurrence.MeetingPK != m.PK ||
			!match.Occurrence.Start.Equal(T0) || !sameSecret(match.Occurrence.AccessCode, secret("find-code")) {
			t.Errorf("FindAccessCode at %v = %+v", at, match.Occurrence)
		}
	}
	_, err = f.s.FindAccessCode(f.ctx, code, o.ReservedUntil())
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.FindAccessCode(f.ctx, secret("unknown").Index, T0)
	wantCode(t, err, admit.ENOTFOUND, "")
}

func testFindCredential(t *testing.T, f *fixture) {
	ann := &admit.Invitee{ID: uniq("i"), Name: "Ann", Token: secret("cred-tok"), PIN: secret("cred-pin"),
		Passcode: secret("cred-pass"), PhonePasscode: secret("cred-phone")}
	m := f.meeting("81234567990", occ(1, T0, ""))
	m.PhonePasscode = secret("shared-phone")
	m.Invitees = []*admit.Invitee{ann}
	f.save(t, m)

	tests := []struct {
		secret  *admit.Secret
		kind    string
		invitee bool
	}{
		{m.Passcode, admit.CredPasscode, false},
		{m.PhonePasscode, admit.CredPhonePasscode, false},
		{ann.Passcode, admit.CredInviteePasscode, true},
		{ann.PhonePasscode, admit.CredInviteePhonePasscode, true},
		{ann.PIN, admit.CredInviteePIN, true},
	}
	for _, tt := range tests {
		c, err := f.s.FindCredential(f.ctx, m.PK, tt.secret.Index)
		must(t, err)
		if c.Kind != tt.kind {
			t.Errorf("FindCredential(%s).Kind = %q, want %q", tt.secret.Index, c.Kind, tt.kind)
		}
		if tt.invitee && (c.InviteePK != ann.PK || c.InviteeID != ann.ID || c.InviteeName != "Ann") {
			t.Errorf("FindCredential(%s) = %+v, want Ann's", tt.secret.Index, c)
		}
		if !tt.invitee && (c.InviteePK != 0 || c.InviteeID != "" || c.InviteeName != "") {
			t.Errorf("FindCredential(%s) = %+v, want no invitee", tt.secret.Index, c)
		}
	}
	// Credentials are per meeting; the token is no credential.
	other := f.meeting("81234567991", occ(1, T0, ""))
	f.save(t, other)
	_, err := f.s.FindCredential(f.ctx, other.PK, ann.PIN.Index)
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.FindCredential(f.ctx, m.PK, ann.Token.Index)
	wantCode(t, err, admit.ENOTFOUND, "")
}

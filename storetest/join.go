package storetest

import (
	"testing"
	"time"

	"github.com/admit-project/admit"
)

func testFindJoinData(t *testing.T, f *fixture) {
	m := f.meeting("81234567960", occ(1, T0, "join-code"))
	m.PhonePasscode = secret("join-phone")
	m.Invitees = []*admit.Invitee{{ID: uniq("i"), Name: "Ann", Token: secret("join-tok")}}
	f.save(t, m)

	for _, find := range []func() (*admit.JoinData, error){
		func() (*admit.JoinData, error) { return f.s.FindJoinDataByPK(f.ctx, m.PK) },
	} {
		d, err := find()
		must(t, err)
		got := d.Meeting
		if got.PK != m.PK || got.ID != m.ID || got.Number != m.Number || got.AccountID != f.account.ID ||
			got.HostID != f.host.ID || got.Topic != m.Topic || got.Kind != m.Kind || got.Timezone != m.Timezone ||
			got.Duration != m.Duration || string(got.PwdIndex) != string(m.PwdIndex) || !got.Security.AccessCode ||
			got.Security.Passcode != m.Security.Passcode {
			t.Errorf("join meeting = %+v", got)
		}
		if got.Passcode == nil || string(got.Passcode.Index) != string(m.Passcode.Index) ||
			got.PhonePasscode == nil || string(got.PhonePasscode.Index) != string(m.PhonePasscode.Index) {
			t.Errorf("join meeting passcodes = %+v, %+v", got.Passcode, got.PhonePasscode)
		}
		if len(got.Occurrences) != 0 || len(got.Invitees) != 0 {
			t.Errorf("join meeting has %d occurrences and %d invitees, want them in JoinData only", len(got.Occurrences), len(got.Invitees))
		}
		if len(d.Occurrences) != 1 || d.Occurrences[0].PK != m.Occurrences[0].PK {
			t.Errorf("join data occurrences = %+v", d.Occurrences)
		}
		// The shared passcodes; the invitee's link token is no credential.
		if len(d.Credentials) != 2 {
			t.Errorf("join data has %d credentials, want 2", len(d.Credentials))
		}
	}
	// The roster's lookup by PK has the same join fields.
	got, err := f.s.FindJoinMeetingByPK(f.ctx, m.PK)
	must(t, err)
	if got.PK != m.PK || got.Number != m.Number || got.Topic != m.Topic || got.Passcode == nil ||
		string(got.Passcode.Index) != string(m.Passcode.Index) || len(got.Occurrences) != 0 {
		t.Errorf("FindJoinMeetingByPK = %+v", got)
	}

	_, err = f.s.FindJoinDataByPK(f.ctx, m.PK+1000)
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.FindJoinMeetingByPK(f.ctx, m.PK+1000)
	wantCode(t, err, admit.ENOTFOUND, "")

	// Without a passcode.
	open := f.meeting("81234567961", occ(1, T0, ""))
	open.Passcode = nil
	f.save(t, open)
	d, err := f.s.FindJoinDataByPK(f.ctx, open.PK)
	must(t, err)
	if d.Meeting.Passcode != nil || d.Meeting.PhonePasscode != nil || len(d.Credentials) != 0 {
		t.Errorf("meeting without passcode has %+v, %+v and %d credentials", d.Meeting.Passcode, d.Meeting.PhonePasscode, len(d.Credentials))
	}
	if len(d.Occurrences) != 1 || d.Occurrences[0].AccessCode != nil {
		t.Errorf("occurrence without access code = %+v", d.Occurrences)
	}
}

// joinCredential returns the live meeting's credential with the index, as
// FindJoinDataByPK has it, or nil.
func joinCredential(t *testing.T, f *fixture, meetingPK int64, index []byte) *admit.Credential {
	t.Helper()
	d, err := f.s.FindJoinDataByPK(f.ctx, meetingPK)
	must(t, err)
	return d.Credentials[string(index)]
}

func testFindJoinDataOccurrences(t *testing.T, f *fixture) {
	// Saved out of Index order, so that PK order differs from it.
	o3, o1, o2 := occ(3, T0.Add(2*day), "jd-3"), occ(1, T0, "jd-1"), occ(2, T0.Add(day), "")
	m := f.meeting("81234567970", o3, o1, o2)
	f.save(t, m)

	d, err := f.s.FindJoinDataByPK(f.ctx, m.PK)
	must(t, err)
	if len(d.Occurrences) != 3 {
		t.Fatalf("join data has %d occurrences, want 3", len(d.Occurrences))
	}
	for i, want := range []*admit.Occurrence{o1, o2, o3} {
		got := d.Occurrences[i]
		if got.Index != want.Index || got.PK != want.PK || got.MeetingPK != m.PK || !got.Start.Equal(want.Start) ||
			!got.End.Equal(want.End) || !got.OpensAt.Equal(want.OpensAt) || !got.ClosesAt.Equal(want.ClosesAt) ||
			got.EndedAt != nil || !sameSecret(got.AccessCode, want.AccessCode) {
			t.Errorf("occurrence %d = %+v, want %+v", i, got, want)
		}
	}

	// An ended occurrence stays, with EndedAt; a removed one goes.
	ended := T0.Add(20 * time.Minute)
	must(t, f.s.EndOccurrence(f.ctx, o1.PK, ended))
	m.Occurrences = []*admit.Occurrence{o1, o2}
	must(t, f.s.SaveMeeting(f.ctx, m, ended))
	d, err = f.s.FindJoinDataByPK(f.ctx, m.PK)
	must(t, err)
	if len(d.Occurrences) != 2 || d.Occurrences[0].Index != 1 || d.Occurrences[1].Index != 2 {
		t.Fatalf("occurrences after ending 1 and removing 3 = %+v", d.Occurrences)
	}
	if e := d.Occurrences[0].EndedAt; e == nil || !e.Equal(ended) || d.Occurrences[0].State(ended) != admit.WindowClosed {
		t.Errorf("ended occurrence EndedAt = %v, want %v", e, ended)
	}
	if d.Occurrences[1].EndedAt != nil {
		t.Errorf("occurrence 2 EndedAt = %v, want nil", d.Occurrences[1].EndedAt)
	}

	// A replaced access code: the data holds the current one.
	o2.AccessCode = secret("jd-2-new")
	must(t, f.s.SaveMeeting(f.ctx, m, ended))
	d, err = f.s.FindJoinDataByPK(f.ctx, m.PK)
	must(t, err)
	if !sameSecret(d.Occurrences[1].AccessCode, secret("jd-2-new")) {
		t.Errorf("occurrence 2 access code = %+v, want the new one", d.Occurrences[1].AccessCode)
	}
}

func testFindJoinDataCredentials(t *testing.T, f *fixture) {
	ann := &admit.Invitee{ID: uniq("i"), Name: "Ann", Token: secret("cred-tok"), PIN: secret("cred-pin"),
		Passcode: secret("cred-pass"), PhonePasscode: secret("cred-phone")}
	bob := &admit.Invitee{ID: uniq("i"), Name: "Bob", Token: secret("cred-tok-bob"), PIN: secret("cred-pin-bob")}
	m := f.meeting("81234567990", occ(1, T0, ""))
	m.PhonePasscode = secret("shared-phone")
	m.Invitees = []*admit.Invitee{ann, bob}
	f.save(t, m)

	tests := []struct {
		secret  *admit.Secret
		kind    string
		invitee *admit.Invitee
	}{
		{m.Passcode, admit.CredPasscode, nil},
		{m.PhonePasscode, admit.CredPhonePasscode, nil},
		{ann.Passcode, admit.CredInviteePasscode, ann},
		{ann.PhonePasscode, admit.CredInviteePhonePasscode, ann},
		{ann.PIN, admit.CredInviteePIN, ann},
		{bob.PIN, admit.CredInviteePIN, bob},
	}
	for _, find := range []func() (*admit.JoinData, error){
		func() (*admit.JoinData, error) { return f.s.FindJoinDataByPK(f.ctx, m.PK) },
	} {
		d, err := find()
		must(t, err)
		if len(d.Credentials) != len(tests) {
			t.Errorf("join data has %d credentials, want %d", len(d.Credentials), len(tests))
		}
		for _, tt := range tests {
			c := d.Credentials[string(tt.secret.Index)]
			if c == nil {
				t.Errorf("credential %s missing", tt.secret.Index)
				continue
			}
			if c.Kind != tt.kind {
				t.Errorf("credential %s Kind = %q, want %q", tt.secret.Index, c.Kind, tt.kind)
			}
			if inv := tt.invitee; inv != nil && (c.InviteePK != inv.PK || c.InviteeID != inv.ID || c.InviteeName != inv.Name) {
				t.Errorf("credential %s = %+v, want %s's", tt.secret.Index, c, inv.Name)
			}
			if tt.invitee == nil && (c.InviteePK != 0 || c.InviteeID != "" || c.InviteeName != "") {
				t.Errorf("credential %s = %+v, want no invitee", tt.secret.Index, c)
			}
		}
		// The token is no credential.
		if c := d.Credentials[string(ann.Token.Index)]; c != nil {
			t.Errorf("invitee token found as credential %+v", c)
		}
	}

	// Credentials are per meeting.
	other := f.meeting("81234567991", occ(1, T0, ""))
	f.save(t, other)
	if c := joinCredential(t, f, other.PK, ann.PIN.Index); c != nil {
		t.Errorf("Ann's PIN found in another meeting: %+v", c)
	}

	// A renamed invitee's credentials carry the new name; a removed
	// invitee's and a replaced PIN are gone.
	ann.Name = "Ann B."
	ann.PIN = secret("cred-pin-2")
	m.Invitees = []*admit.Invitee{ann}
	f.save(t, m)
	for _, gone := range []string{"cred-pin", "cred-pin-bob"} {
		if c := joinCredential(t, f, m.PK, secret(gone).Index); c != nil {
			t.Errorf("removed credential %s still found: %+v", gone, c)
		}
	}
	if c := joinCredential(t, f, m.PK, ann.PIN.Index); c == nil || c.Kind != admit.CredInviteePIN || c.InviteeName != "Ann B." {
		t.Errorf("new PIN = %+v, want Ann B.'s", c)
	}
	if c := joinCredential(t, f, m.PK, ann.Passcode.Index); c == nil || c.InviteeName != "Ann B." {
		t.Errorf("kept passcode = %+v, want Ann B.'s", c)
	}
}

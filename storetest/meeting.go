package storetest

import (
	"testing"
	"time"

	"github.com/admit-project/admit"
)

const day = 24 * time.Hour

func testSaveMeetingInsert(t *testing.T, f *fixture) {
	m := f.meeting("81234567890", occ(1, T0, "code-a"), occ(2, T0.Add(day), "code-b"))
	m.PhonePasscode = secret("phone-81234567890")
	m.Invitees = []*admit.Invitee{{ID: uniq("i"), Name: "Ann", Email: "ann@example.com",
		Token: secret("token-ann"), PIN: secret("pin-ann"), Passcode: secret("pass-ann")}}
	f.save(t, m)
	if m.PK == 0 || m.CreatedAt.IsZero() || m.Occurrences[0].PK == 0 || m.Occurrences[1].PK == 0 || m.Invitees[0].PK == 0 {
		t.Fatalf("SaveMeeting did not set PKs and CreatedAt: %+v", m)
	}
	if m.Occurrences[0].MeetingPK != m.PK || m.Invitees[0].MeetingPK != m.PK {
		t.Errorf("children's MeetingPK not set")
	}

	got, err := f.s.FindMeetingByID(f.ctx, f.account.ID, m.ID)
	must(t, err)
	if got.PK != m.PK || got.Number != m.Number || got.Topic != m.Topic || got.Kind != admit.KindRecurring ||
		got.HostID != f.host.ID || got.Timezone != "Europe/Paris" || got.Duration != 60 || !got.Start.Equal(T0) {
		t.Errorf("FindMeetingByID = %+v, want %+v", got, m)
	}
	if got.Recurrence == nil || got.Recurrence.Freq != "daily" || got.Recurrence.Count != 2 {
		t.Errorf("Recurrence = %+v, want daily x2", got.Recurrence)
	}
	if got.Security.AccessCodeLength != admit.DefaultAccessCodeLength || !got.Security.AccessCode {
		t.Errorf("Security = %+v", got.Security)
	}
	if !sameSecret(got.Passcode, m.Passcode) || !sameSecret(got.PhonePasscode, m.PhonePasscode) ||
		string(got.PwdIndex) != string(m.PwdIndex) {
		t.Errorf("passcodes = %+v %+v %q", got.Passcode, got.PhonePasscode, got.PwdIndex)
	}
	if got.Passcode != nil && got.Passcode.Plain != "" {
		t.Errorf("Passcode.Plain stored")
	}
	if len(got.Occurrences) != 2 {
		t.Fatalf("got %d occurrences, want 2", len(got.Occurrences))
	}
	for i, o := range got.Occurrences {
		w := m.Occurrences[i]
		if o.PK != w.PK || o.Index != w.Index || !o.Start.Equal(w.Start) || !o.End.Equal(w.End) ||
			!o.OpensAt.Equal(w.OpensAt) || !o.ClosesAt.Equal(w.ClosesAt) || o.EndedAt != nil ||
			!sameSecret(o.AccessCode, w.AccessCode) || o.MeetingPK != m.PK || o.Uses != 0 {
			t.Errorf("occurrence %d = %+v, want %+v", i+1, o, w)
		}
		if o.Start.Location() != time.UTC {
			t.Errorf("occurrence %d start in %v, want UTC", i+1, o.Start.Location())
		}
	}
	if len(got.Invitees) != 1 {
		t.Fatalf("got %d invitees, want 1", len(got.Invitees))
	}
	inv := got.Invitees[0]
	if inv.PK != m.Invitees[0].PK || inv.ID != m.Invitees[0].ID || inv.Name != "Ann" || inv.Email != "ann@example.com" ||
		!sameSecret(inv.Token, secret("token-ann")) || !sameSecret(inv.PIN, secret("pin-ann")) ||
		!sameSecret(inv.Passcode, secret("pass-ann")) || inv.PhonePasscode != nil {
		t.Errorf("invitee = %+v", inv)
	}

	if byNum, err := f.s.FindMeetingByNumber(f.ctx, f.account.ID, m.Number); err != nil || byNum.PK != m.PK {
		t.Errorf("FindMeetingByNumber = %v, %v", byNum, err)
	}
	_, err = f.s.FindMeetingByID(f.ctx, f.account.ID+100, m.ID)
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.FindMeetingByNumber(f.ctx, f.account.ID, "80000000000")
	wantCode(t, err, admit.ENOTFOUND, "")
}

func testSaveMeetingUpdate(t *testing.T, f *fixture) {
	m := f.meeting("81234567891", occ(1, T0, "code-1"), occ(2, T0.Add(day), "code-2"), occ(3, T0.Add(2*day), "code-3"))
	f.save(t, m)
	pk1 := m.Occurrences[0].PK
	occ3 := m.Occurrences[2]
	now := T0.Add(-time.Hour)

	// Occurrence 1 gets a new code; 2 moves by a week, keeping its code; 3
	// goes; 4 comes; the topic and the passcode change; the phone passcode
	// is added.
	m.Topic = "Renamed"
	m.Passcode = secret("new-passcode")
	m.PhonePasscode = secret("phone")
	m.Occurrences[0].AccessCode = secret("code-1b")
	moved := occ(2, T0.Add(7*day), "code-2")
	m.Occurrences = []*admit.Occurrence{m.Occurrences[0], moved, occ(4, T0.Add(8*day), "code-4")}
	must(t, f.s.SaveMeeting(f.ctx, m, now))
	if m.Occurrences[0].PK != pk1 || moved.PK == 0 || m.Occurrences[2].PK == 0 {
		t.Errorf("PKs after update: %d (want %d), %d, %d", m.Occurrences[0].PK, pk1, moved.PK, m.Occurrences[2].PK)
	}

	got, err := f.s.FindMeetingByID(f.ctx, f.account.ID, m.ID)
	must(t, err)
	if got.Topic != "Renamed" || !sameSecret(got.Passcode, secret("new-passcode")) || !sameSecret(got.PhonePasscode, secret("phone")) {
		t.Errorf("meeting after update = %+v", got)
	}
	var idx []int
	for _, o := range got.Occurrences {
		idx = append(idx, o.Index)
	}
	if len(idx) != 3 || idx[0] != 1 || idx[1] != 2 || idx[2] != 4 {
		t.Fatalf("occurrence indexes = %v, want [1 2 4]", idx)
	}
	if !sameSecret(got.Occurrences[0].AccessCode, secret("code-1b")) || !got.Occurrences[1].Start.Equal(T0.Add(7*day)) {
		t.Errorf("occurrences after update = %+v, %+v", got.Occurrences[0], got.Occurrences[1])
	}

	// The replaced code is revoked and keeps its reservation.
	if old := f.codeAt(t, secret("code-1").Index, T0); old == nil || !old.Revoked || old.MeetingPK != m.PK ||
		old.Occurrence != 1 || old.OccurrencePK != pk1 {
		t.Errorf("replaced code = %+v, want revoked, occurrence 1", old)
	}
	if cur := f.codeAt(t, secret("code-1b").Index, T0); cur == nil || cur.Revoked || cur.OccurrencePK != pk1 {
		t.Errorf("new code = %+v", cur)
	}
	// The moved code's reservation grows to its new window and never starts
	// later than it did: the code still names its occurrence at the old time.
	if mv := f.codeAt(t, secret("code-2").Index, T0.Add(day)); mv == nil || mv.OccurrencePK != moved.PK {
		t.Errorf("moved code at its old window = %+v; want still reserved to its occurrence", mv)
	}
	if mv := f.codeAt(t, secret("code-2").Index, T0.Add(-day)); mv != nil {
		t.Errorf("moved code before it was reserved = %+v, want none", mv)
	}
	if mv := f.codeAt(t, secret("code-2").Index, T0.Add(7*day)); mv == nil || mv.OccurrencePK != moved.PK {
		t.Errorf("moved code at its new window = %+v", mv)
	}
	// The removed occurrence's code is revoked, still reserved.
	if gone := f.codeAt(t, secret("code-3").Index, T0.Add(2*day)); gone == nil || !gone.Revoked ||
		gone.Occurrence != 3 || gone.OccurrencePK != 0 {
		t.Errorf("removed occurrence's code = %+v, want revoked, occurrence 3 (removed)", gone)
	}
	reuse := f.meeting("81234567892", occ(1, occ3.Start, "code-3"))
	wantCode(t, f.s.SaveMeeting(f.ctx, reuse, now), admit.ECONFLICT, "access_code")
	reuse = f.meeting("81234567892", occ(1, T0.Add(-day), "code-1"))
	wantCode(t, f.s.SaveMeeting(f.ctx, reuse, now), admit.ECONFLICT, "access_code")

	// Secrets set to nil are removed.
	m.PhonePasscode = nil
	m.Occurrences[2].AccessCode = nil
	must(t, f.s.SaveMeeting(f.ctx, m, now))
	got, err = f.s.FindMeetingByID(f.ctx, f.account.ID, m.ID)
	must(t, err)
	if got.PhonePasscode != nil || got.Occurrences[2].AccessCode != nil {
		t.Errorf("nil secrets kept: %+v, %+v", got.PhonePasscode, got.Occurrences[2].AccessCode)
	}
	if c := joinCredential(t, f, m.PK, secret("phone").Index); c != nil {
		t.Errorf("removed phone passcode still a credential: %+v", c)
	}

	// Saving an unknown meeting fails.
	ghost := f.meeting("81234567899", occ(1, T0.Add(300*day), ""))
	ghost.PK = m.PK + 1000
	wantCode(t, f.s.SaveMeeting(f.ctx, ghost, now), admit.ENOTFOUND, "")
}

func testSaveMeetingInvitees(t *testing.T, f *fixture) {
	ann := &admit.Invitee{ID: uniq("i"), Name: "Ann", Token: secret("tok-ann"), PIN: secret("pin-ann")}
	bob := &admit.Invitee{ID: uniq("i"), Name: "Bob", Token: secret("tok-bob"), Passcode: secret("pass-bob"),
		PhonePasscode: secret("phone-bob")}
	m := f.meeting("81234567893", occ(1, T0, "code-x"))
	m.Invitees = []*admit.Invitee{ann, bob}
	f.save(t, m)

	// Ann's PIN is replaced, Bob goes, Cy comes.
	cy := &admit.Invitee{ID: uniq("i"), Name: "Cy", Token: secret("tok-cy"), PIN: secret("pin-cy")}
	ann.PIN = secret("pin-ann-2")
	ann.Email = "ann@example.com"
	m.Invitees = []*admit.Invitee{ann, cy}
	f.save(t, m)
	if cy.PK == 0 {
		t.Fatalf("new invitee's PK not set")
	}
	got, err := f.s.FindMeetingByID(f.ctx, f.account.ID, m.ID)
	must(t, err)
	if len(got.Invitees) != 2 || got.Invitees[0].PK != ann.PK || got.Invitees[1].PK != cy.PK ||
		got.Invitees[0].Email != "ann@example.com" || !sameSecret(got.Invitees[0].PIN, secret("pin-ann-2")) ||
		!sameSecret(got.Invitees[1].PIN, secret("pin-cy")) {
		t.Errorf("invitees after update = %+v", got.Invitees)
	}
	for _, gone := range []string{"pin-ann", "pass-bob", "phone-bob"} {
		if c := joinCredential(t, f, m.PK, secret(gone).Index); c != nil {
			t.Errorf("removed credential %s still found: %+v", gone, c)
		}
	}
	if tok := f.tokenOf(t, secret("tok-bob").Index); tok != nil {
		t.Errorf("removed invitee's token = %+v, want none", tok)
	}
	if tok := f.tokenOf(t, secret("tok-cy").Index); tok == nil || tok.InviteePK != cy.PK || tok.InviteeID != cy.ID ||
		tok.Name != "Cy" || tok.MeetingPK != m.PK {
		t.Errorf("Cy's token = %+v", tok)
	}
}

func testNumberConflict(t *testing.T, f *fixture) {
	a := f.meeting("81234567894", occ(1, T0, "code-n1"))
	f.save(t, a)
	b := f.meeting("81234567894", occ(1, T0.Add(100*day), "code-n2"))
	wantCode(t, f.s.SaveMeeting(f.ctx, b, T0), admit.ECONFLICT, "meeting_id")
	if b.PK != 0 {
		t.Errorf("failed SaveMeeting set PK %d", b.PK)
	}

	// Resaving a keeps its number; a number stays reserved after deletion.
	f.save(t, a)
	must(t, f.s.DeleteMeeting(f.ctx, a.PK, T0))
	wantCode(t, f.s.SaveMeeting(f.ctx, b, T0), admit.ECONFLICT, "meeting_id")

	// A number once held by a meeting that changed its number is still
	// reserved for it.
	c := f.meeting("81234567895", occ(1, T0.Add(200*day), ""))
	f.save(t, c)
	c.Number = "81234567896"
	f.save(t, c)
	d := f.meeting("81234567895", occ(1, T0.Add(300*day), ""))
	wantCode(t, f.s.SaveMeeting(f.ctx, d, T0), admit.ECONFLICT, "meeting_id")
	c.Number = "81234567895"
	f.save(t, c)

	// Updating a meeting onto another's number fails too.
	c.Number = "81234567894"
	wantCode(t, f.s.SaveMeeting(f.ctx, c, T0), admit.ECONFLICT, "meeting_id")
}

func testAccessCodeConflict(t *testing.T, f *fixture) {
	a := f.meeting("81234567900", occ(1, T0, "shared-code"))
	f.save(t, a)

	// Overlapping another meeting's reservation.
	b := f.meeting("81234567901", occ(1, T0.Add(time.Hour), "free-code"), occ(2, T0.Add(2*day), "shared-code"))
	e := wantCode(t, f.s.SaveMeeting(f.ctx, b, T0), admit.ECONFLICT, "access_code")
	if e.Detail["occurrence"] != 2 {
		t.Errorf("Detail[occurrence] = %v, want 2", e.Detail["occurrence"])
	}

	// Within the quarantine (30 days after the window closes): refused.
	closes := a.Occurrences[0].ClosesAt
	c := f.meeting("81234567902", occ(1, closes.Add(admit.CodeQuarantine-time.Hour), "shared-code"))
	wantCode(t, f.s.SaveMeeting(f.ctx, c, T0), admit.ECONFLICT, "access_code")
	// Beyond it (the new window opens 15 minutes early): accepted.
	c = f.meeting("81234567902", occ(1, closes.Add(admit.CodeQuarantine+15*time.Minute), "shared-code"))
	f.save(t, c)
	// And before a's reservation, ending in time: accepted.
	d := f.meeting("81234567903", occ(1, a.Occurrences[0].OpensAt.Add(-admit.CodeQuarantine-2*time.Hour), "shared-code"))
	f.save(t, d)

	// Two occurrences of one meeting may not share a code either.
	e2 := f.meeting("81234567904", occ(1, T0.Add(400*day), "dup"), occ(2, T0.Add(401*day), "dup"))
	wantCode(t, f.s.SaveMeeting(f.ctx, e2, T0), admit.ECONFLICT, "access_code")

	// Moving a window onto another's reservation fails.
	a.Occurrences[0] = occ(1, c.Occurrences[0].Start, "shared-code")
	wantCode(t, f.s.SaveMeeting(f.ctx, a, T0), admit.ECONFLICT, "access_code")
}

func testCredentialConflict(t *testing.T, f *fixture) {
	a := f.meeting("81234567910", occ(1, T0, ""))
	a.Invitees = []*admit.Invitee{{ID: uniq("i"), Name: "Ann", Token: secret("tok-a"), PIN: secret("1234")}}
	f.save(t, a)

	// The same token in another meeting.
	b := f.meeting("81234567911", occ(1, T0, ""))
	b.Invitees = []*admit.Invitee{{ID: uniq("i"), Name: "Bob", Token: secret("tok-a")}}
	wantCode(t, f.s.SaveMeeting(f.ctx, b, T0), admit.ECONFLICT, "credential")
	// The same PIN in another meeting is fine.
	b.Invitees[0].Token = secret("tok-b")
	b.Invitees[0].PIN = secret("1234")
	f.save(t, b)

	// Two credentials with one index in a meeting.
	a.Invitees = append(a.Invitees, &admit.Invitee{ID: uniq("i"), Name: "Cy", Token: secret("tok-c"), PIN: secret("1234")})
	wantCode(t, f.s.SaveMeeting(f.ctx, a, T0), admit.ECONFLICT, "credential")
	if a.Invitees[1].PK != 0 {
		t.Errorf("failed SaveMeeting set the new invitee's PK")
	}
	a.Invitees[1].PIN = secret("5678")
	a.Invitees[1].Passcode = a.Passcode
	wantCode(t, f.s.SaveMeeting(f.ctx, a, T0), admit.ECONFLICT, "credential")
}

func testNothingHalfWritten(t *testing.T, f *fixture) {
	a := f.meeting("81234567920", occ(1, T0, "taken"))
	f.save(t, a)

	b := f.meeting("81234567921", occ(1, T0.Add(50*day), "fresh-1"), occ(2, T0.Add(51*day), "taken-later"), occ(3, T0, "taken"))
	b.Invitees = []*admit.Invitee{{ID: uniq("i"), Name: "Ann", Token: secret("tok-half"), PIN: secret("pin-half")}}
	wantCode(t, f.s.SaveMeeting(f.ctx, b, T0), admit.ECONFLICT, "access_code")
	if b.PK != 0 || b.Occurrences[0].PK != 0 || b.Invitees[0].PK != 0 {
		t.Errorf("failed SaveMeeting set PKs: %d %d %d", b.PK, b.Occurrences[0].PK, b.Invitees[0].PK)
	}
	if _, err := f.s.FindMeetingByNumber(f.ctx, f.account.ID, b.Number); admit.ErrorCode(err) != admit.ENOTFOUND {
		t.Errorf("half-written meeting found: err = %v", err)
	}
	if c := f.codeAt(t, secret("fresh-1").Index, T0.Add(50*day)); c != nil {
		t.Errorf("half-written access code found: %+v", c)
	}
	if tok := f.tokenOf(t, secret("tok-half").Index); tok != nil {
		t.Errorf("half-written invitee found: %+v", tok)
	}
	// Number, codes and token are all still free.
	b.Occurrences[2] = occ(3, T0.Add(52*day), "fresh-3")
	f.save(t, b)

	// A failed update leaves the stored meeting as it was.
	b.Topic = "Changed"
	b.Occurrences[0].AccessCode = secret("fresh-1b")
	b.Occurrences[2] = occ(3, T0, "taken")
	wantCode(t, f.s.SaveMeeting(f.ctx, b, T0), admit.ECONFLICT, "access_code")
	got, err := f.s.FindMeetingByID(f.ctx, f.account.ID, b.ID)
	must(t, err)
	if got.Topic == "Changed" || !sameSecret(got.Occurrences[0].AccessCode, secret("fresh-1")) {
		t.Errorf("failed update wrote: topic %q, code %q", got.Topic, got.Occurrences[0].AccessCode.Index)
	}
	if c := f.codeAt(t, secret("fresh-1").Index, T0.Add(50*day)); c == nil || c.Revoked {
		t.Errorf("failed update revoked the old code: %+v", c)
	}
}

func testFindMeetings(t *testing.T, f *fixture) {
	late := f.meeting("81234567930", occ(1, T0.Add(10*day), ""))
	early := f.meeting("81234567931", occ(1, T0.Add(2*day), ""), occ(2, T0.Add(20*day), ""))
	f.save(t, late)
	f.save(t, early)
	other := f.user(t, "other@example.com")
	theirs := f.meeting("81234567932", occ(1, T0.Add(5*day), ""))
	theirs.HostID = other.ID
	f.save(t, theirs)
	room := f.personalRoom(t, "8123456793")
	gone := f.meeting("81234567933", occ(1, T0.Add(3*day), ""))
	f.save(t, gone)
	must(t, f.s.DeleteMeeting(f.ctx, gone.PK, T0))

	ids := func(ms []*admit.Meeting) []int64 {
		var pks []int64
		for _, m := range ms {
			pks = append(pks, m.PK)
		}
		return pks
	}
	want := func(name string, got []*admit.Meeting, want ...*admit.Meeting) {
		t.Helper()
		g, w := ids(got), ids(want)
		if len(g) != len(w) {
			t.Errorf("%s = %v, want %v", name, g, w)
			return
		}
		for i := range g {
			if g[i] != w[i] {
				t.Errorf("%s = %v, want %v", name, g, w)
				return
			}
		}
	}

	all, err := f.s.FindMeetings(f.ctx, admit.MeetingFilter{AccountID: f.account.ID})
	must(t, err)
	want("all", all, room, early, theirs, late)
	if len(all) == 4 && len(all[1].Occurrences) != 2 {
		t.Errorf("FindMeetings meetings are not whole: %d occurrences", len(all[1].Occurrences))
	}
	mine, err := f.s.FindMeetings(f.ctx, admit.MeetingFilter{AccountID: f.account.ID, HostID: f.host.ID})
	must(t, err)
	want("host's", mine, room, early, late)
	// [T0+9d, T0+21d) holds late's occurrence and early's second.
	ranged, err := f.s.FindMeetings(f.ctx, admit.MeetingFilter{AccountID: f.account.ID, From: T0.Add(9 * day), To: T0.Add(21 * day)})
	must(t, err)
	want("range", ranged, room, late, early)
	limited, err := f.s.FindMeetings(f.ctx, admit.MeetingFilter{AccountID: f.account.ID, Limit: 2})
	must(t, err)
	want("limit", limited, room, early)
	none, err := f.s.FindMeetings(f.ctx, admit.MeetingFilter{AccountID: f.account.ID + 100})
	must(t, err)
	want("other account", none)
}

// personalRoom saves a personal room of the fixture's host.
func (f *fixture) personalRoom(t *testing.T, number string) *admit.Meeting {
	t.Helper()
	m := f.meeting(number)
	m.Kind, m.Topic = admit.KindPersonal, "Personal room"
	f.save(t, m)
	return m
}

func testDeleteMeeting(t *testing.T, f *fixture) {
	m := f.meeting("81234567940", occ(1, T0, "del-code"), occ(2, T0.Add(day), "del-code-2"))
	m.PhonePasscode = secret("del-phone")
	m.Invitees = []*admit.Invitee{{ID: uniq("i"), Name: "Ann", Token: secret("del-tok"), PIN: secret("del-pin")}}
	f.save(t, m)
	o := m.Occurrences[0]
	p := participant(o, 0, "Guest", T0)
	must(t, f.s.Admit(f.ctx, admission(m, o, p)))

	now := T0.Add(10 * time.Minute)
	must(t, f.s.DeleteMeeting(f.ctx, m.PK, now))
	wantCode(t, f.s.DeleteMeeting(f.ctx, m.PK, now), admit.ENOTFOUND, "")

	_, err := f.s.FindMeetingByID(f.ctx, f.account.ID, m.ID)
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.FindMeetingByNumber(f.ctx, f.account.ID, m.Number)
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.FindJoinDataByPK(f.ctx, m.PK)
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.FindJoinMeetingByPK(f.ctx, m.PK)
	wantCode(t, err, admit.ENOTFOUND, "")
	if tok := f.tokenOf(t, secret("del-tok").Index); tok != nil {
		t.Errorf("deleted meeting's token = %+v, want none", tok)
	}
	wantCode(t, f.s.SaveMeeting(f.ctx, m, now), admit.ENOTFOUND, "")

	for i, code := range []string{"del-code", "del-code-2"} {
		if c := f.codeAt(t, secret(code).Index, m.Occurrences[i].Start); c == nil || !c.Revoked || c.MeetingPK != m.PK {
			t.Errorf("code %s after delete = %+v, want revoked", code, c)
		}
	}
	// The open occurrence ended; the future one did not.
	ended, err := f.s.FindOccurrence(f.ctx, o.PK)
	must(t, err)
	if ended.EndedAt == nil || !ended.EndedAt.Equal(now) {
		t.Errorf("open occurrence EndedAt = %v, want %v", ended.EndedAt, now)
	}
	if future, err := f.s.FindOccurrence(f.ctx, m.Occurrences[1].PK); err != nil || future.EndedAt != nil {
		t.Errorf("future occurrence = %+v, %v; want not ended", future, err)
	}
	got, err := f.s.FindParticipant(f.ctx, p.ID)
	must(t, err)
	if got.State != admit.StateLeft || got.LeftAt == nil || !got.LeftAt.Equal(now) {
		t.Errorf("participant after delete = %s at %v, want left at %v", got.State, got.LeftAt, now)
	}
	// The codes keep their reservations.
	again := f.meeting("81234567941", occ(1, T0.Add(time.Hour), "del-code"))
	wantCode(t, f.s.SaveMeeting(f.ctx, again, now), admit.ECONFLICT, "access_code")
}

func testEndOccurrence(t *testing.T, f *fixture) {
	m := f.meeting("81234567950", occ(1, T0, "end-code"))
	f.save(t, m)
	o := m.Occurrences[0]
	waiting := participant(o, 0, "Wait", T0)
	waiting.State = admit.StateWaiting
	must(t, f.s.Admit(f.ctx, admission(m, o, waiting)))
	in := participant(o, 0, "In", T0)
	must(t, f.s.Admit(f.ctx, admission(m, o, in)))
	out := participant(o, 0, "Out", T0)
	must(t, f.s.Admit(f.ctx, admission(m, o, out)))
	_, err := f.s.TransitionParticipant(f.ctx, out.PK, []string{admit.StateAdmitted}, admit.StateRemoved, T0.Add(time.Minute))
	must(t, err)

	now := T0.Add(20 * time.Minute)
	must(t, f.s.EndOccurrence(f.ctx, o.PK, now))
	wantCode(t, f.s.EndOccurrence(f.ctx, o.PK, now), admit.ECONFLICT, "")
	wantCode(t, f.s.EndOccurrence(f.ctx, o.PK+1000, now), admit.ENOTFOUND, "")

	got, err := f.s.FindOccurrence(f.ctx, o.PK)
	must(t, err)
	if got.EndedAt == nil || !got.EndedAt.Equal(now) || got.State(now) != admit.WindowClosed {
		t.Errorf("EndedAt = %v, want %v", got.EndedAt, now)
	}
	ps, err := f.s.FindParticipants(f.ctx, o.PK)
	must(t, err)
	states := map[string]string{}
	for _, p := range ps {
		states[p.BaseName] = p.State
		if p.BaseName != "Out" && (p.LeftAt == nil || !p.LeftAt.Equal(now)) {
			t.Errorf("%s LeftAt = %v, want %v", p.BaseName, p.LeftAt, now)
		}
	}
	if states["Wait"] != admit.StateLeft || states["In"] != admit.StateLeft || states["Out"] != admit.StateRemoved {
		t.Errorf("states after EndOccurrence = %v", states)
	}
	d, err := f.s.FindJoinDataByPK(f.ctx, m.PK)
	must(t, err)
	if len(d.Occurrences) != 1 || d.Occurrences[0].State(now.Add(time.Minute)) != admit.WindowClosed {
		t.Errorf("ended occurrence in join data = %+v, want closed", d.Occurrences)
	}
}

func testPersonalRoom(t *testing.T, f *fixture) {
	room := f.personalRoom(t, "8123456795")
	got, err := f.s.FindPersonalRoom(f.ctx, f.host.ID)
	must(t, err)
	if got.PK != room.PK || got.Kind != admit.KindPersonal || !got.Start.IsZero() || len(got.Occurrences) != 0 {
		t.Errorf("FindPersonalRoom = %+v", got)
	}
	other := f.user(t, "noroom@example.com")
	_, err = f.s.FindPersonalRoom(f.ctx, other.ID)
	wantCode(t, err, admit.ENOTFOUND, "")

	calls := 0
	mk := func(index int) *admit.Occurrence {
		calls++
		return occ(index, T0, "")
	}
	makeAt := func(at time.Time) func(int) *admit.Occurrence {
		return func(index int) *admit.Occurrence {
			calls++
			o := admit.NewOccurrence(index, at, 60, room.Security)
			o.AccessCode = secret("pmr-code-" + at.String())
			return o
		}
	}
	o1, err := f.s.OpenPersonalOccurrence(f.ctx, room.PK, T0, mk)
	must(t, err)
	if o1.PK == 0 || o1.Index != 1 || o1.MeetingPK != room.PK || calls != 1 {
		t.Fatalf("first OpenPersonalOccurrence = %+v (make called %d times)", o1, calls)
	}
	again, err := f.s.OpenPersonalOccurrence(f.ctx, room.PK, T0.Add(10*time.Minute), mk)
	must(t, err)
	if again.PK != o1.PK || calls != 1 {
		t.Errorf("OpenPersonalOccurrence while open = %+v (make called %d times), want occurrence 1", again, calls)
	}
	must(t, f.s.EndOccurrence(f.ctx, o1.PK, T0.Add(20*time.Minute)))
	at := T0.Add(30 * time.Minute)
	o2, err := f.s.OpenPersonalOccurrence(f.ctx, room.PK, at, makeAt(at))
	must(t, err)
	if o2.Index != 2 || o2.PK == o1.PK || !o2.Start.Equal(at) || calls != 2 {
		t.Errorf("OpenPersonalOccurrence after end = %+v, want index 2", o2)
	}
	if c := f.codeAt(t, secret("pmr-code-"+at.String()).Index, at); c == nil || c.OccurrencePK != o2.PK {
		t.Errorf("new occurrence's access code = %+v", c)
	}
	_, err = f.s.OpenPersonalOccurrence(f.ctx, room.PK+1000, T0, mk)
	wantCode(t, err, admit.ENOTFOUND, "")

	// Saving the room (say, a new topic) keeps its occurrences.
	room, err = f.s.FindPersonalRoom(f.ctx, f.host.ID)
	must(t, err)
	room.Topic = "My room"
	f.save(t, room)
	got, err = f.s.FindPersonalRoom(f.ctx, f.host.ID)
	must(t, err)
	if got.Topic != "My room" || len(got.Occurrences) != 2 {
		t.Errorf("room after save = %q with %d occurrences", got.Topic, len(got.Occurrences))
	}
}

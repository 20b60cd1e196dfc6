package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// codeAt returns the access code with the index whose reservation holds at
// (the latest reserved one when several do), from the whole directory
// loaded at at, or nil.
func (f *fixture) codeAt(t *testing.T, index []byte, at time.Time) *admit.DirCode {
	t.Helper()
	d, err := f.s.LoadDirectory(f.ctx, 0, at)
	must(t, err)
	var found *admit.DirCode
	for i := range d.Codes {
		c := &d.Codes[i]
		if string(c.Index) != string(index) || at.Before(c.From) || !at.Before(c.Until) {
			continue
		}
		if found == nil || c.From.After(found.From) {
			found = c
		}
	}
	return found
}

// tokenOf returns the invitee link token with the index from the whole
// directory, or nil.
func (f *fixture) tokenOf(t *testing.T, index []byte) *admit.DirToken {
	t.Helper()
	d, err := f.s.LoadDirectory(f.ctx, 0, T0)
	must(t, err)
	for i := range d.Tokens {
		if string(d.Tokens[i].Index) == string(index) {
			return &d.Tokens[i]
		}
	}
	return nil
}

// dirCodes returns the directory's access codes by the value their index
// derives from (see secret).
func dirCodes(t *testing.T, d *admit.Directory) map[string]admit.DirCode {
	t.Helper()
	codes := map[string]admit.DirCode{}
	for _, c := range d.Codes {
		if _, dup := codes[string(c.Index)]; dup {
			t.Errorf("code %q listed twice", c.Index)
		}
		codes[strings.TrimPrefix(string(c.Index), "index:")] = c
	}
	return codes
}

// dirTokens returns the directory's tokens by the value their index
// derives from.
func dirTokens(d *admit.Directory) map[string]admit.DirToken {
	tokens := map[string]admit.DirToken{}
	for _, tok := range d.Tokens {
		tokens[strings.TrimPrefix(string(tok.Index), "index:")] = tok
	}
	return tokens
}

// dirMeetings returns the directory's numbers by meeting PK.
func dirMeetings(d *admit.Directory) map[int64]string {
	numbers := map[int64]string{}
	for _, m := range d.Meetings {
		numbers[m.PK] = m.Number
	}
	return numbers
}

func testLoadDirectory(t *testing.T, f *fixture) {
	a := f.meeting("81234568000", occ(1, T0, "dir-a1"), occ(2, T0.Add(day), "dir-a2"), occ(3, T0.Add(2*day), "dir-a3"))
	ann := &admit.Invitee{ID: uniq("i"), Name: "Ann", Token: secret("dir-tok-ann"), PIN: secret("dir-pin-ann")}
	bob := &admit.Invitee{ID: uniq("i"), Name: "Bob", PIN: secret("dir-pin-bob")}
	a.Invitees = []*admit.Invitee{ann, bob}
	f.save(t, a)
	b := f.meeting("81234568001", occ(1, T0, "dir-b1"))
	cy := &admit.Invitee{ID: uniq("i"), Name: "Cy", Token: secret("dir-tok-cy")}
	b.Invitees = []*admit.Invitee{cy}
	f.save(t, b)
	c := f.meeting("81234568002", occ(1, T0.Add(3*day), "dir-c1"))
	c.Invitees = []*admit.Invitee{{ID: uniq("i"), Name: "Dee", Token: secret("dir-tok-dee")}}
	f.save(t, c)

	// a's occurrence 1 gets a new code and occurrence 3 goes; c is deleted.
	now := T0.Add(-time.Hour)
	a1 := a.Occurrences[0]
	oldFrom, oldUntil := a1.ReservedFrom(), a1.ReservedUntil()
	a2 := a.Occurrences[1]
	a3 := a.Occurrences[2]
	a1.AccessCode = secret("dir-a1b")
	a.Occurrences = a.Occurrences[:2]
	must(t, f.s.SaveMeeting(f.ctx, a, now))
	must(t, f.s.DeleteMeeting(f.ctx, c.PK, now))

	d, err := f.s.LoadDirectory(f.ctx, 0, now)
	must(t, err)
	numbers := dirMeetings(d)
	if len(numbers) != 2 || numbers[a.PK] != a.Number || numbers[b.PK] != b.Number {
		t.Errorf("meetings = %v, want %d: %s and %d: %s only", numbers, a.PK, a.Number, b.PK, b.Number)
	}

	codes := dirCodes(t, d)
	if len(codes) != 6 {
		t.Errorf("%d codes, want 6: %+v", len(codes), d.Codes)
	}
	want := func(code string, meetingPK, occPK int64, occurrence int, revoked bool, from, until time.Time) {
		t.Helper()
		got, ok := codes[code]
		if !ok {
			t.Errorf("code %s missing", code)
			return
		}
		if got.MeetingPK != meetingPK || got.OccurrencePK != occPK || got.Occurrence != occurrence ||
			got.Revoked != revoked || !got.From.Equal(from) || !got.Until.Equal(until) {
			t.Errorf("code %s = %+v, want meeting %d, occurrence %d (pk %d), revoked %v, [%v, %v)",
				code, got, meetingPK, occurrence, occPK, revoked, from, until)
		}
	}
	// The replaced code stays, revoked, with its reservation.
	want("dir-a1", a.PK, a1.PK, 1, true, oldFrom, oldUntil)
	want("dir-a1b", a.PK, a1.PK, 1, false, a1.ReservedFrom(), a1.ReservedUntil())
	want("dir-a2", a.PK, a2.PK, 2, false, a2.ReservedFrom(), a2.ReservedUntil())
	// The removed occurrence's code stays, revoked, without its occurrence.
	want("dir-a3", a.PK, 0, 3, true, a3.ReservedFrom(), a3.ReservedUntil())
	want("dir-b1", b.PK, b.Occurrences[0].PK, 1, false, b.Occurrences[0].ReservedFrom(), b.Occurrences[0].ReservedUntil())
	// The deleted meeting's code stays, revoked, until its reservation ends.
	want("dir-c1", c.PK, c.Occurrences[0].PK, 1, true, c.Occurrences[0].ReservedFrom(), c.Occurrences[0].ReservedUntil())

	// Tokens of live meetings only, with their invitees.
	tokens := dirTokens(d)
	if len(tokens) != 2 {
		t.Errorf("tokens = %+v, want Ann's and Cy's", d.Tokens)
	}
	for _, w := range []struct {
		token     string
		meetingPK int64
		inv       *admit.Invitee
	}{{"dir-tok-ann", a.PK, ann}, {"dir-tok-cy", b.PK, cy}} {
		got, ok := tokens[w.token]
		if !ok || got.MeetingPK != w.meetingPK || got.InviteePK != w.inv.PK || got.InviteeID != w.inv.ID || got.Name != w.inv.Name {
			t.Errorf("token %s = %+v (found %v), want meeting %d, invitee %d %s %s",
				w.token, got, ok, w.meetingPK, w.inv.PK, w.inv.ID, w.inv.Name)
		}
	}

	// One meeting's directory.
	d, err = f.s.LoadDirectory(f.ctx, a.PK, now)
	must(t, err)
	if numbers := dirMeetings(d); len(numbers) != 1 || numbers[a.PK] != a.Number {
		t.Errorf("meeting a's meetings = %v", numbers)
	}
	all := codes
	codes = dirCodes(t, d)
	if len(codes) != 4 {
		t.Errorf("meeting a's codes = %+v, want its 4", d.Codes)
	}
	for _, code := range []string{"dir-a1", "dir-a1b", "dir-a2", "dir-a3"} {
		w := all[code]
		want(code, a.PK, w.OccurrencePK, w.Occurrence, w.Revoked, w.From, w.Until)
	}
	if tokens := dirTokens(d); len(tokens) != 1 || tokens["dir-tok-ann"].InviteePK != ann.PK {
		t.Errorf("meeting a's tokens = %+v, want Ann's", d.Tokens)
	}
	d, err = f.s.LoadDirectory(f.ctx, c.PK, now)
	must(t, err)
	if codes := dirCodes(t, d); len(d.Meetings) != 0 || len(d.Tokens) != 0 || len(codes) != 1 || !codes["dir-c1"].Revoked {
		t.Errorf("deleted meeting's directory = %+v, want its revoked code only", d)
	}
	d, err = f.s.LoadDirectory(f.ctx, c.PK+1000, now)
	must(t, err)
	if len(d.Meetings)+len(d.Codes)+len(d.Tokens) != 0 {
		t.Errorf("unknown meeting's directory = %+v, want empty", d)
	}

	// Codes whose reservation ended are left out.
	end := b.Occurrences[0].ReservedUntil()
	for _, at := range []time.Time{end, end.Add(time.Second)} {
		d, err = f.s.LoadDirectory(f.ctx, 0, at)
		must(t, err)
		codes := dirCodes(t, d)
		for _, gone := range []string{"dir-a1", "dir-a1b", "dir-b1"} {
			if _, ok := codes[gone]; ok {
				t.Errorf("at %v: code %s, reserved until %v, still listed", at, gone, end)
			}
		}
		if _, ok := codes["dir-a2"]; !ok {
			t.Errorf("at %v: code dir-a2, reserved until %v, missing", at, a2.ReservedUntil())
		}
		if len(d.Meetings) != 2 || len(d.Tokens) != 2 {
			t.Errorf("at %v: %d meetings, %d tokens, want 2 and 2", at, len(d.Meetings), len(d.Tokens))
		}
	}
	d, err = f.s.LoadDirectory(f.ctx, 0, c.Occurrences[0].ReservedUntil())
	must(t, err)
	if _, ok := dirCodes(t, d)["dir-c1"]; ok {
		t.Errorf("deleted meeting's code listed after its reservation ended")
	}
}

func testLoadDirectoryReservation(t *testing.T, f *fixture) {
	o := occ(1, T0, "find-code")
	m := f.meeting("81234567980", o)
	f.save(t, m)
	code := secret("find-code").Index

	if c := f.codeAt(t, code, o.ReservedFrom().Add(-time.Second)); c != nil {
		t.Errorf("code before its reservation = %+v", c)
	}
	for _, at := range []time.Time{o.ReservedFrom(), T0, o.ClosesAt.Add(day), o.ReservedUntil().Add(-time.Second)} {
		c := f.codeAt(t, code, at)
		if c == nil {
			t.Errorf("code at %v not found", at)
			continue
		}
		if c.Revoked || c.OccurrencePK != o.PK || c.MeetingPK != m.PK || c.Occurrence != 1 {
			t.Errorf("code at %v = %+v", at, c)
		}
		got, err := f.s.FindOccurrence(f.ctx, c.OccurrencePK)
		must(t, err)
		if got.MeetingPK != m.PK || !got.Start.Equal(T0) || !sameSecret(got.AccessCode, secret("find-code")) {
			t.Errorf("code at %v: occurrence %+v", at, got)
		}
	}
	if c := f.codeAt(t, code, o.ReservedUntil()); c != nil {
		t.Errorf("code at the end of its reservation = %+v", c)
	}
	if c := f.codeAt(t, secret("unknown").Index, T0); c != nil {
		t.Errorf("unknown code = %+v", c)
	}
}

package storetest

import (
	"testing"
	"time"

	"github.com/admit-project/admit"
)

func testAdmit(t *testing.T, f *fixture) {
	ann := &admit.Invitee{ID: uniq("i"), Name: "Ann", Token: secret("adm-tok")}
	m := f.meeting("81234568000", occ(1, T0, "adm-code"))
	m.Invitees = []*admit.Invitee{ann}
	f.save(t, m)
	o := m.Occurrences[0]

	p := participant(o, ann.PK, "Ann", T0)
	a := admission(m, o, p)
	a.ViaAccessCode = true
	must(t, f.s.Admit(f.ctx, a))
	if p.PK == 0 || a.Attempt.ID == 0 || a.Attempt.ParticipantPK != p.PK {
		t.Fatalf("Admit did not set PKs: participant %d, attempt %d → %d", p.PK, a.Attempt.ID, a.Attempt.ParticipantPK)
	}
	if p.DisplayName != "Ann" || p.SharedCredential {
		t.Errorf("first holder named %q (shared %v), want Ann", p.DisplayName, p.SharedCredential)
	}

	got, err := f.s.FindParticipant(f.ctx, p.ID)
	must(t, err)
	if got.PK != p.PK || got.OccurrencePK != o.PK || got.Occurrence != 1 || got.InviteePK != ann.PK ||
		got.InviteeID != ann.ID || got.DisplayName != "Ann" || got.BaseName != "Ann" || got.State != admit.StateAdmitted ||
		got.Channel != admit.ChannelWeb || got.Source != "192.0.2.1" || !got.JoinedAt.Equal(T0) ||
		got.AdmittedAt == nil || got.LeftAt != nil {
		t.Errorf("FindParticipant = %+v", got)
	}
	_, err = f.s.FindParticipant(f.ctx, "p-none")
	wantCode(t, err, admit.ENOTFOUND, "")

	// Uses are counted even without a limit.
	occ1, err := f.s.FindOccurrence(f.ctx, o.PK)
	must(t, err)
	if occ1.Uses != 1 || occ1.MeetingPK != m.PK || !sameSecret(occ1.AccessCode, secret("adm-code")) {
		t.Errorf("FindOccurrence = %+v, want 1 use", occ1)
	}
	_, err = f.s.FindOccurrence(f.ctx, o.PK+1000)
	wantCode(t, err, admit.ENOTFOUND, "")

	later := participant(o, 0, "Guest", T0.Add(time.Minute))
	later.State = admit.StateWaiting
	must(t, f.s.Admit(f.ctx, admission(m, o, later)))
	earlier := participant(o, 0, "Early", T0.Add(-time.Minute))
	must(t, f.s.Admit(f.ctx, admission(m, o, earlier)))
	ps, err := f.s.FindParticipants(f.ctx, o.PK)
	must(t, err)
	if len(ps) != 3 || ps[0].ID != earlier.ID || ps[1].ID != p.ID || ps[2].ID != later.ID {
		t.Errorf("FindParticipants = %d, not by join time", len(ps))
	}
	if ps[2].AdmittedAt != nil {
		t.Errorf("waiting participant has AdmittedAt")
	}

	atts, err := f.s.FindAttempts(f.ctx, m.PK, 2)
	must(t, err)
	if len(atts) != 2 || atts[0].ParticipantPK != earlier.PK || atts[1].ParticipantPK != later.PK {
		t.Errorf("FindAttempts(2) = %+v, want the last two, newest first", atts)
	}
	if atts[0].Outcome != admit.OutcomeAdmitted || atts[0].OccurrencePK != o.PK || atts[0].Occurrence != 1 ||
		atts[0].Method != "meeting_id" || atts[0].MeetingPK != m.PK {
		t.Errorf("attempt = %+v", atts[0])
	}
}

func testAdmitNaming(t *testing.T, f *fixture) {
	ann := &admit.Invitee{ID: uniq("i"), Name: "Ann", Token: secret("name-tok-ann")}
	bob := &admit.Invitee{ID: uniq("i"), Name: "Bob", Token: secret("name-tok-bob")}
	m := f.meeting("81234568010", occ(1, T0, ""), occ(2, T0.Add(day), ""))
	m.Invitees = []*admit.Invitee{ann, bob}
	f.save(t, m)
	o := m.Occurrences[0]

	join := func(o *admit.Occurrence, inviteePK int64, name string) *admit.Participant {
		t.Helper()
		p := participant(o, inviteePK, name, T0)
		must(t, f.s.Admit(f.ctx, admission(m, o, p)))
		return p
	}
	check := func(p *admit.Participant, name string, shared bool) {
		t.Helper()
		if p.DisplayName != name || p.SharedCredential != shared || p.BaseName == "" {
			t.Errorf("participant named %q (shared %v), want %q (shared %v)", p.DisplayName, p.SharedCredential, name, shared)
		}
		got, err := f.s.FindParticipant(f.ctx, p.ID)
		must(t, err)
		if got.DisplayName != name || got.SharedCredential != shared {
			t.Errorf("stored participant named %q (shared %v), want %q (shared %v)", got.DisplayName, got.SharedCredential, name, shared)
		}
	}
	leave := func(p *admit.Participant) {
		t.Helper()
		_, err := f.s.TransitionParticipant(f.ctx, p.PK, []string{admit.StateWaiting, admit.StateAdmitted}, admit.StateLeft, T0.Add(time.Minute))
		must(t, err)
	}

	a1 := join(o, ann.PK, "Ann")
	check(a1, "Ann", false)
	a2 := join(o, ann.PK, "Ann")
	check(a2, "Ann (2)", true)
	a3 := join(o, ann.PK, "Ann")
	check(a3, "Ann (3)", true)

	// Other invitees, guests without an invitee, other occurrences: no suffix.
	check(join(o, bob.PK, "Bob"), "Bob", false)
	check(join(o, 0, "Ann"), "Ann", false)
	check(join(o, 0, "Ann"), "Ann", false)
	check(join(m.Occurrences[1], ann.PK, "Ann"), "Ann", false)

	// A freed suffix is reused, the smallest first.
	leave(a2)
	a4 := join(o, ann.PK, "Ann")
	check(a4, "Ann (2)", true)
	leave(a1)
	check(join(o, ann.PK, "Ann"), "Ann (4)", true)

	// Waiting holders count as active.
	leave(a3)
	w := participant(o, ann.PK, "Ann", T0)
	w.State = admit.StateWaiting
	must(t, f.s.Admit(f.ctx, admission(m, o, w)))
	check(w, "Ann (3)", true)

	// Once nobody holds it, the name is plain again.
	ps, err := f.s.FindParticipants(f.ctx, o.PK)
	must(t, err)
	for _, p := range ps {
		if p.InviteePK == ann.PK && p.Active() {
			leave(p)
		}
	}
	check(join(o, ann.PK, "Ann"), "Ann", false)
}

func testAdmitMaxUses(t *testing.T, f *fixture) {
	m := f.meeting("81234568020", occ(1, T0, "max-code"))
	f.save(t, m)
	o := m.Occurrences[0]
	for i := range 3 {
		p := participant(o, 0, "Guest", T0)
		a := admission(m, o, p)
		a.ViaAccessCode, a.MaxUses = true, 2
		err := f.s.Admit(f.ctx, a)
		if i < 2 {
			must(t, err)
			continue
		}
		wantCode(t, err, admit.ECONFLICT, "max_uses")
		if _, err := f.s.FindParticipant(f.ctx, p.ID); admit.ErrorCode(err) != admit.ENOTFOUND {
			t.Errorf("refused admission wrote its participant: err = %v", err)
		}
	}
	ps, err := f.s.FindParticipants(f.ctx, o.PK)
	must(t, err)
	atts, err := f.s.FindAttempts(f.ctx, m.PK, 0)
	must(t, err)
	got, err := f.s.FindOccurrence(f.ctx, o.PK)
	must(t, err)
	if len(ps) != 2 || len(atts) != 2 || got.Uses != 2 {
		t.Errorf("after refusal: %d participants, %d attempts, %d uses; want 2, 2, 2", len(ps), len(atts), got.Uses)
	}
	// Joins by other means do not consume uses.
	p := participant(o, 0, "Host's guest", T0)
	must(t, f.s.Admit(f.ctx, admission(m, o, p)))
	// A new code starts afresh.
	m.Occurrences[0].AccessCode = secret("max-code-2")
	f.save(t, m)
	a := admission(m, o, participant(o, 0, "Guest", T0))
	a.ViaAccessCode, a.MaxUses = true, 2
	must(t, f.s.Admit(f.ctx, a))
}

func testRecordAttempt(t *testing.T, f *fixture) {
	m := f.meeting("81234568030", occ(1, T0, ""))
	f.save(t, m)
	unknown := &admit.Attempt{At: T0, Channel: admit.ChannelPhone, Source: "+15550100", Method: "meeting_id",
		Outcome: admit.OutcomeRefused, Reason: admit.ReasonUnknownMeeting}
	must(t, f.s.RecordAttempt(f.ctx, unknown))
	if unknown.ID == 0 {
		t.Fatalf("RecordAttempt did not set ID")
	}
	for i, reason := range []string{admit.ReasonWrongPasscode, admit.ReasonNotOpen} {
		a := &admit.Attempt{At: T0.Add(time.Duration(i) * time.Second), MeetingPK: m.PK, Channel: admit.ChannelWeb,
			Source: "198.51.100.7", Method: "meeting_id", Outcome: admit.OutcomeRefused, Reason: reason}
		must(t, f.s.RecordAttempt(f.ctx, a))
	}
	atts, err := f.s.FindAttempts(f.ctx, m.PK, 10)
	must(t, err)
	if len(atts) != 2 || atts[0].Reason != admit.ReasonNotOpen || atts[1].Reason != admit.ReasonWrongPasscode ||
		atts[0].Channel != admit.ChannelWeb || atts[0].Source != "198.51.100.7" || !atts[1].At.Equal(T0) {
		t.Errorf("FindAttempts = %+v", atts)
	}
}

func testTransitionParticipant(t *testing.T, f *fixture) {
	m := f.meeting("81234568040", occ(1, T0, ""))
	f.save(t, m)
	o := m.Occurrences[0]
	p := participant(o, 0, "Wait", T0)
	p.State = admit.StateWaiting
	must(t, f.s.Admit(f.ctx, admission(m, o, p)))

	at := T0.Add(time.Minute)
	got, err := f.s.TransitionParticipant(f.ctx, p.PK, []string{admit.StateWaiting}, admit.StateAdmitted, at)
	must(t, err)
	if got.State != admit.StateAdmitted || got.AdmittedAt == nil || !got.AdmittedAt.Equal(at) || got.ID != p.ID || got.Occurrence != 1 {
		t.Errorf("admitted = %+v", got)
	}
	_, err = f.s.TransitionParticipant(f.ctx, p.PK, []string{admit.StateWaiting}, admit.StateDenied, at)
	wantCode(t, err, admit.ECONFLICT, "")
	_, err = f.s.TransitionParticipant(f.ctx, p.PK+1000, []string{admit.StateWaiting}, admit.StateAdmitted, at)
	wantCode(t, err, admit.ENOTFOUND, "")

	for _, to := range []string{admit.StateRemoved} {
		at := at.Add(time.Minute)
		got, err := f.s.TransitionParticipant(f.ctx, p.PK, []string{admit.StateWaiting, admit.StateAdmitted}, to, at)
		must(t, err)
		if got.State != to || got.LeftAt == nil || !got.LeftAt.Equal(at) || got.AdmittedAt == nil {
			t.Errorf("%s = %+v", to, got)
		}
	}
	q := participant(o, 0, "Denied", T0)
	q.State = admit.StateWaiting
	must(t, f.s.Admit(f.ctx, admission(m, o, q)))
	got, err = f.s.TransitionParticipant(f.ctx, q.PK, []string{admit.StateWaiting}, admit.StateDenied, at)
	must(t, err)
	if got.State != admit.StateDenied || got.LeftAt == nil || got.AdmittedAt != nil {
		t.Errorf("denied = %+v", got)
	}
}

// testCallerSealed: a phone participant's sealed number is stored and read
// back with it, walked by FindSealed (kind caller_number, with the
// participant's ID) and swapped by ReplaceSealed only while unchanged.
func testCallerSealed(t *testing.T, f *fixture) {
	m := f.meeting("81234567941", occ(1, T0, ""))
	f.save(t, m)
	o := m.Occurrences[0]
	p := participant(o, 0, "Caller ending 4321", T0)
	p.Channel, p.CallerSealed = admit.ChannelPhone, []byte("sealed-number")
	must(t, f.s.Admit(f.ctx, admission(m, o, p)))
	web := participant(o, 0, "Web", T0)
	must(t, f.s.Admit(f.ctx, admission(m, o, web)))

	got, err := f.s.FindParticipant(f.ctx, p.ID)
	must(t, err)
	if string(got.CallerSealed) != "sealed-number" {
		t.Errorf("FindParticipant: CallerSealed %q, want sealed-number", got.CallerSealed)
	}
	got, err = f.s.FindParticipant(f.ctx, web.ID)
	must(t, err)
	if got.CallerSealed != nil {
		t.Errorf("a web participant has CallerSealed %q, want nil", got.CallerSealed)
	}

	find := func() []*admit.SealedValue {
		var out []*admit.SealedValue
		var cur admit.SealedCursor
		for !cur.Done {
			vs, next, err := f.s.FindSealed(f.ctx, cur, 2)
			must(t, err)
			cur = next
			for _, v := range vs {
				if v.Kind == admit.SealedCallerNumber {
					out = append(out, v)
				}
			}
		}
		return out
	}
	vs := find()
	var v *admit.SealedValue
	for _, x := range vs {
		if x.ParticipantID == web.ID {
			t.Errorf("FindSealed lists the web participant: %+v", x)
		}
		if x.ParticipantID == p.ID {
			v = x
		}
	}
	if v == nil || string(v.Sealed) != "sealed-number" {
		t.Fatalf("FindSealed: %+v, want the caller's number of %s", vs, p.ID)
	}
	ok, err := f.s.ReplaceSealed(f.ctx, v, []byte("sealed-again"))
	must(t, err)
	if !ok {
		t.Error("ReplaceSealed of an unchanged value = false")
	}
	ok, err = f.s.ReplaceSealed(f.ctx, v, []byte("stale"))
	must(t, err)
	if ok {
		t.Error("ReplaceSealed of a value changed meanwhile = true")
	}
	got, err = f.s.FindParticipant(f.ctx, p.ID)
	must(t, err)
	if string(got.CallerSealed) != "sealed-again" {
		t.Errorf("after ReplaceSealed: %q, want sealed-again", got.CallerSealed)
	}
}

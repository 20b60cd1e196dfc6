package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// changes reads the change log after seq, failing the test on error.
func (f *fixture) changes(t *testing.T, after int64) (latest int64, pks []int64, all bool) {
	t.Helper()
	latest, pks, all, err := f.s.MeetingChanges(f.ctx, after)
	must(t, err)
	return latest, pks, all
}

// wantChanged checks that the change log, read after seq, reports the
// meeting (and, when not is given, not those) and returns its latest seq.
func (f *fixture) wantChanged(t *testing.T, what string, after, pk int64, not ...int64) int64 {
	t.Helper()
	latest, pks, all := f.changes(t, after)
	if latest <= after || all || !slices.Contains(pks, pk) {
		t.Errorf("%s: MeetingChanges(%d) = %d, %v, all %v; want a later seq and meeting %d", what, after, latest, pks, all, pk)
	}
	for _, n := range not {
		if slices.Contains(pks, n) {
			t.Errorf("%s: MeetingChanges(%d) = %v, reports unchanged meeting %d", what, after, pks, n)
		}
	}
	return latest
}

// wantUnchanged checks that the change log reports nothing after seq.
func (f *fixture) wantUnchanged(t *testing.T, what string, after int64) {
	t.Helper()
	latest, pks, all := f.changes(t, after)
	if latest != after || len(pks) != 0 || all {
		t.Errorf("%s: MeetingChanges(%d) = %d, %v, all %v; want %d and nothing", what, after, latest, pks, all, after)
	}
}

func testMeetingChanges(t *testing.T, f *fixture) {
	start, _, _ := f.changes(t, 0)
	f.wantUnchanged(t, "no write", start)

	m := f.meeting("81234568100", occ(1, T0, "chg-1"), occ(2, T0.Add(day), "chg-2"))
	f.save(t, m)
	seq := f.wantChanged(t, "SaveMeeting insert", start, m.PK)
	f.wantUnchanged(t, "read again", seq)

	other := f.meeting("81234568101", occ(1, T0, ""))
	f.save(t, other)
	seq = f.wantChanged(t, "SaveMeeting insert of another", seq, other.PK, m.PK)

	m.Topic = "New topic"
	f.save(t, m)
	seq = f.wantChanged(t, "SaveMeeting update", seq, m.PK, other.PK)

	m.Passcode = secret("chg-pass-2")
	f.save(t, m)
	seq = f.wantChanged(t, "SaveMeeting new passcode", seq, m.PK, other.PK)

	m.Occurrences[1].AccessCode = secret("chg-2-new")
	f.save(t, m)
	seq = f.wantChanged(t, "SaveMeeting new access code", seq, m.PK, other.PK)

	m.Invitees = []*admit.Invitee{{ID: uniq("i"), Name: "Ann", Token: secret("chg-tok"), PIN: secret("chg-pin")}}
	f.save(t, m)
	seq = f.wantChanged(t, "SaveMeeting new invitee", seq, m.PK, other.PK)

	must(t, f.s.EndOccurrence(f.ctx, m.Occurrences[0].PK, T0.Add(10*time.Minute)))
	seq = f.wantChanged(t, "EndOccurrence", seq, m.PK, other.PK)

	room := f.personalRoom(t, "8123456810")
	seq = f.wantChanged(t, "SaveMeeting personal room", seq, room.PK, m.PK)
	_, err := f.s.OpenPersonalOccurrence(f.ctx, room.PK, T0, func(index int) *admit.Occurrence { return occ(index, T0, "") })
	must(t, err)
	seq = f.wantChanged(t, "OpenPersonalOccurrence", seq, room.PK, m.PK)

	must(t, f.s.DeleteMeeting(f.ctx, m.PK, T0.Add(time.Hour)))
	seq = f.wantChanged(t, "DeleteMeeting", seq, m.PK, other.PK)
	f.wantUnchanged(t, "read again", seq)

	// Read from the start, the log has every meeting written since (or
	// tells to forget everything).
	latest, pks, all := f.changes(t, start)
	if latest != seq || !all && (!slices.Contains(pks, m.PK) || !slices.Contains(pks, other.PK) || !slices.Contains(pks, room.PK)) {
		t.Errorf("MeetingChanges(%d) = %d, %v, all %v; want %d and meetings %d, %d, %d", start, latest, pks, all, seq, m.PK, other.PK, room.PK)
	}
}

func testMeetingChangesNotJoins(t *testing.T, f *fixture) {
	m := f.meeting("81234568110", occ(1, T0, "nj-code"))
	m.Security.MaxUses = 5
	f.save(t, m)
	o := m.Occurrences[0]
	seq, _, _ := f.changes(t, 0)

	p := participant(o, 0, "Guest", T0)
	a := admission(m, o, p)
	a.ViaAccessCode, a.MaxUses = true, 5
	must(t, f.s.Admit(f.ctx, a))
	f.wantUnchanged(t, "Admit", seq)

	must(t, f.s.RecordAttempt(f.ctx, &admit.Attempt{At: T0, MeetingPK: m.PK, Channel: admit.ChannelWeb,
		Source: "198.51.100.7", Method: "meeting_id", Outcome: admit.OutcomeRefused, Reason: admit.ReasonWrongPasscode}))
	f.wantUnchanged(t, "RecordAttempt", seq)

	_, err := f.s.TransitionParticipant(f.ctx, p.PK, []string{admit.StateAdmitted}, admit.StateLeft, T0.Add(time.Minute))
	must(t, err)
	f.wantUnchanged(t, "TransitionParticipant", seq)

	must(t, f.s.AppendEvents(f.ctx, &admit.Event{At: T0, AccountID: f.account.ID, Actor: "system", Action: "test", Outcome: "ok"}))
	f.wantUnchanged(t, "AppendEvents", seq)
}

func testMeetingChangesMany(t *testing.T, f *fixture) {
	before, _, _ := f.changes(t, 0)
	var pks []int64
	for i := range 20 {
		m := f.meeting(fmt.Sprintf("823456812%02d", i), occ(1, T0.Add(time.Duration(i)*day), ""))
		f.save(t, m)
		pks = append(pks, m.PK)
	}
	latest, got, all := f.changes(t, before)
	if latest <= before {
		t.Fatalf("MeetingChanges(%d) latest = %d, want later", before, latest)
	}
	if !all {
		for _, pk := range pks {
			if !slices.Contains(got, pk) {
				t.Errorf("MeetingChanges(%d) = %v, misses meeting %d", before, got, pk)
			}
		}
	}
	// A seq the log never reached (say, from a store since restored from a
	// backup) cannot be trusted: the caller must forget everything.
	if _, _, all := f.changes(t, latest+1000); !all {
		t.Errorf("MeetingChanges(%d) beyond the latest %d: all not set", latest+1000, latest)
	}
}

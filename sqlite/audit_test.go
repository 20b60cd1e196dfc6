package sqlite_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlite"
)

// auditKey is the audit key of the tests' stores.
var auditKey = []byte("0123456789abcdef0123456789abcdef")

// mustOpenAudit opens the database at path with auditKey.
func mustOpenAudit(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.SetAuditKey(context.Background(), auditKey); err != nil {
		db.Close()
		tb.Fatal(err)
	}
	return db
}

// auditEntries is how many entries the mutation test's store holds.
const auditEntries = 300

// mustAuditStore writes a store of auditEntries chained events, appended in
// batches of one to five, and returns its closed file.
func mustAuditStore(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "admit.db")
	db := mustOpenAudit(tb, path)
	at := time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC)
	for n := 0; n < auditEntries; {
		var batch []*admit.Event
		for range min(1+n%5, auditEntries-n) {
			n++
			batch = append(batch, &admit.Event{At: at.Add(time.Duration(n) * time.Second), AccountID: int64(1 + n%3),
				Actor: fmt.Sprintf("user:%d", n%7), Action: []string{"meeting.create", "code.view", "join.refused"}[n%3],
				Target: fmt.Sprintf("meeting:m%d", n%11), Source: "10.0.0.1", Outcome: "ok", Detail: fmt.Sprint("entry ", n)})
		}
		if err := db.AppendEvents(ctx, batch...); err != nil {
			tb.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// copyStore copies the closed database file (and its WAL, if any) into a
// new directory.
func copyStore(tb testing.TB, path string) string {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), "admit.db")
	for _, suffix := range []string{"", "-wal"} {
		in, err := os.Open(path + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		} else if err != nil {
			tb.Fatal(err)
		}
		out, err := os.Create(dst + suffix)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			tb.Fatal(err)
		}
		in.Close()
		if err := out.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	return dst
}

// unguard drops what stops a tamperer who edits the file directly.
var unguard = []string{
	`DROP TRIGGER events_append_only_update`,
	`DROP TRIGGER events_append_only_delete`,
}

// TestAuditJoinEvents checks that a refused attempt and an admission each
// append their audit entry, naming the meeting.
func TestAuditJoinEvents(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	defer db.Close()
	a := &admit.Account{Name: "Acme", Plan: admit.PlanFree, Security: admit.DefaultAccountSecurity()}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	u := &admit.User{AccountID: a.ID, Email: "h@example.com", Name: "H", Role: admit.RoleOwner, Timezone: "UTC"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC)
	m := &admit.Meeting{ID: "mjoin", AccountID: a.ID, HostID: u.ID, Number: "81234567890", Topic: "T", Kind: admit.KindScheduled,
		Start: t0, Duration: 60, Timezone: "UTC", Security: admit.DefaultSecurity(),
		Occurrences: []*admit.Occurrence{admit.NewOccurrence(1, t0, 60, admit.DefaultSecurity())}}
	if err := db.SaveMeeting(ctx, m, t0); err != nil {
		t.Fatal(err)
	}
	o := m.Occurrences[0]
	refused := &admit.Attempt{At: t0, MeetingPK: m.PK, OccurrencePK: o.PK, Channel: admit.ChannelAPI, Source: "10.0.0.1",
		Method: admit.MethodMeetingID, Outcome: admit.OutcomeRefused, Reason: admit.ReasonWrongPasscode}
	if err := db.RecordAttempt(ctx, refused); err != nil {
		t.Fatal(err)
	}
	p := &admit.Participant{ID: "pjoin", OccurrencePK: o.PK, BaseName: "Ann", Channel: admit.ChannelAPI, Source: "10.0.0.2", State: admit.StateAdmitted, JoinedAt: t0}
	admitted := &admit.Attempt{At: t0, MeetingPK: m.PK, OccurrencePK: o.PK, Channel: admit.ChannelAPI, Source: "10.0.0.2",
		Method: admit.MethodMeetingID, Outcome: admit.OutcomeAdmitted}
	if err := db.Admit(ctx, &admit.Admission{Participant: p, Attempt: admitted}); err != nil {
		t.Fatal(err)
	}
	invalid := &admit.Attempt{At: t0, Channel: admit.ChannelAPI, Source: "10.0.0.3", Method: "unknown", Outcome: admit.OutcomeInvalid, Reason: "invalid meeting_id"}
	if err := db.RecordAttempt(ctx, invalid); err != nil {
		t.Fatal(err)
	}
	var got []string
	if _, err := db.ScanEvents(ctx, 0, func(e *admit.Event) error {
		if strings.HasPrefix(e.Action, "join.") {
			got = append(got, fmt.Sprintf("%d %s %s %s %s %s %s", e.AccountID, e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		fmt.Sprintf("%d anonymous join.refused meeting:mjoin 10.0.0.1 failed wrong_passcode", a.ID),
		fmt.Sprintf("%d participant:pjoin join.admitted meeting:mjoin 10.0.0.2 ok meeting_id", a.ID),
		"0 anonymous join.invalid  10.0.0.3 failed invalid meeting_id",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("join events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

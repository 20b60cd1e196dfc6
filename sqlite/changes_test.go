package sqlite_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlite"
)

// changesMeeting saves a meeting of a new account and host through db.
func changesMeeting(t *testing.T, db *sqlite.DB, number string) *admit.Meeting {
	t.Helper()
	ctx := context.Background()
	a := &admit.Account{Name: "Acme", Plan: admit.PlanFree, Security: admit.DefaultAccountSecurity()}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	u := &admit.User{AccountID: a.ID, Email: number + "@example.com", Name: "Host", Role: admit.RoleOwner, Timezone: "UTC"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2030, time.March, 4, 15, 0, 0, 0, time.UTC)
	m := &admit.Meeting{ID: "m" + number, AccountID: a.ID, HostID: u.ID, Number: number, Topic: "Changes",
		Kind: admit.KindScheduled, Start: start, Duration: 60, Timezone: "UTC", Security: admit.DefaultSecurity(),
		Occurrences: []*admit.Occurrence{admit.NewOccurrence(1, start, 60, admit.DefaultSecurity())}}
	if err := db.SaveMeeting(ctx, m, start.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMeetingChangesTwoHandles checks that a change written through one
// handle (the CLI) is in the log another handle (the server) reads, both
// ways.
func TestMeetingChangesTwoHandles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "admit.db")
	server, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	cli, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	seq, _, _, err := server.MeetingChanges(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	m := changesMeeting(t, cli, "81234567001")
	latest, pks, all, err := server.MeetingChanges(ctx, seq)
	if err != nil || latest <= seq || all || !slices.Contains(pks, m.PK) {
		t.Fatalf("server reads the CLI's insert: %d, %v, all %v, %v; want meeting %d after %d", latest, pks, all, err, m.PK, seq)
	}
	seq = latest

	m.Topic = "Changed by the server"
	if err := server.SaveMeeting(ctx, m, m.Start); err != nil {
		t.Fatal(err)
	}
	latest, pks, all, err = cli.MeetingChanges(ctx, seq)
	if err != nil || latest <= seq || all || !slices.Contains(pks, m.PK) {
		t.Fatalf("CLI reads the server's update: %d, %v, all %v, %v; want meeting %d after %d", latest, pks, all, err, m.PK, seq)
	}
	seq = latest

	if err := cli.DeleteMeeting(ctx, m.PK, m.Start); err != nil {
		t.Fatal(err)
	}
	latest, pks, all, err = server.MeetingChanges(ctx, seq)
	if err != nil || latest <= seq || all || !slices.Contains(pks, m.PK) {
		t.Fatalf("server reads the CLI's delete: %d, %v, all %v, %v; want meeting %d after %d", latest, pks, all, err, m.PK, seq)
	}
}

// TestMeetingChangesTrimmed checks that a reader whose seq is older than
// the trimmed log is told to forget everything, and that one within it is
// not.
func TestMeetingChangesTrimmed(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	defer db.Close()
	m := changesMeeting(t, db, "81234567002")
	old, _, _, err := db.MeetingChanges(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}

	// Jump the log ahead: inserting seq 200000 trims everything up to 100000.
	raw := openRaw(t, db.Path())
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO meeting_changes (seq, meeting_pk) VALUES (200000, ?)`, m.PK); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM meeting_changes WHERE seq <= 100000`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d entries up to 100000 left after the trim (%v), want 0", n, err)
	}

	for _, after := range []int64{0, old} {
		latest, pks, all, err := db.MeetingChanges(ctx, after)
		if err != nil || latest != 200000 || !all || len(pks) != 0 {
			t.Errorf("MeetingChanges(%d) on a trimmed log = %d, %v, all %v, %v; want 200000, all", after, latest, pks, all, err)
		}
	}
	latest, pks, all, err := db.MeetingChanges(ctx, 199999)
	if err != nil || latest != 200000 || all || !slices.Equal(pks, []int64{m.PK}) {
		t.Errorf("MeetingChanges(199999) = %d, %v, all %v, %v; want 200000, [%d]", latest, pks, all, err, m.PK)
	}
	// New writes go on from the jump.
	m.Topic = "After the jump"
	if err := db.SaveMeeting(ctx, m, m.Start); err != nil {
		t.Fatal(err)
	}
	latest, pks, all, err = db.MeetingChanges(ctx, 200000)
	if err != nil || latest <= 200000 || all || !slices.Contains(pks, m.PK) {
		t.Errorf("MeetingChanges(200000) after a save = %d, %v, all %v, %v; want meeting %d", latest, pks, all, err, m.PK)
	}
}

// TestMeetingChangesTooMany checks that a reader far behind a log that
// still reaches back to it is told to forget everything rather than given
// a list of every meeting.
func TestMeetingChangesTooMany(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	defer db.Close()
	m := changesMeeting(t, db, "81234567003")
	seq, _, _, err := db.MeetingChanges(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	raw := openRaw(t, db.Path())
	defer raw.Close()
	if _, err := raw.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10010)
		INSERT INTO meeting_changes (meeting_pk) SELECT ? + i FROM n`, m.PK); err != nil {
		t.Fatal(err)
	}
	latest, pks, all, err := db.MeetingChanges(ctx, seq)
	if err != nil || latest != seq+10010 || !all || len(pks) != 0 {
		t.Errorf("MeetingChanges(%d) behind 10010 changes = %d, %d meetings, all %v, %v; want %d, all", seq, latest, len(pks), all, err, seq+10010)
	}
	latest, pks, all, err = db.MeetingChanges(ctx, seq+10000)
	if err != nil || latest != seq+10010 || all || len(pks) != 10 {
		t.Errorf("MeetingChanges(%d) behind 10 changes = %d, %v, all %v, %v; want %d and 10 meetings", seq+10000, latest, pks, all, err, seq+10010)
	}
}

package sqlite_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

// mustVerify checks the chain of the store at path and returns its length
// and first break.
func mustVerify(tb testing.TB, path string) (int64, *admit.ChainBreak) {
	tb.Helper()
	db := mustOpenAudit(tb, path)
	defer db.Close()
	n, bad, err := admit.Verify(context.Background(), db, auditKey)
	if err != nil {
		tb.Fatal(err)
	}
	return n, bad
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

// A mutation is a tamperer's single change to the audit trail, made with
// raw SQL (the append-only triggers dropped first), and the entry that
// verification must name as the first bad one.
type mutation struct {
	name string
	sql  []string
	bad  int64
}

// unguard drops what stops a tamperer who edits the file directly.
var unguard = []string{
	`DROP TRIGGER events_append_only_update`,
	`DROP TRIGGER events_append_only_delete`,
}

// mutations returns every kind of single mutation at entry k (1 <= k <
// auditEntries) and, for reordering, j (k < j <= auditEntries).
func mutations(k, j int64) []mutation {
	const n = auditEntries
	swap := func(cols string) []string {
		return []string{
			`CREATE TEMP TABLE a AS SELECT ` + cols + ` FROM events WHERE seq = ` + fmt.Sprint(k),
			`CREATE TEMP TABLE b AS SELECT ` + cols + ` FROM events WHERE seq = ` + fmt.Sprint(j),
			`UPDATE events SET (` + cols + `) = (SELECT * FROM b) WHERE seq = ` + fmt.Sprint(k),
			`UPDATE events SET (` + cols + `) = (SELECT * FROM a) WHERE seq = ` + fmt.Sprint(j),
		}
	}
	content := `at, account_id, actor, action, target, source, outcome, detail`
	// forged is an entry copied from k with another detail, linked to k-1.
	forged := func(seq string) string {
		return `INSERT INTO events (at, account_id, actor, action, target, source, outcome, detail, seq, prev_hash, hash)
			SELECT at, account_id, actor, action, target, source, outcome, 'forged', ` + seq + `, prev_hash, randomblob(32)
			FROM events WHERE seq = ` + fmt.Sprint(k)
	}
	at := func(sql string, seq int64) string { return fmt.Sprintf(sql, seq) }
	return []mutation{
		{"edit actor", []string{at(`UPDATE events SET actor = 'user:999' WHERE seq = %d`, k)}, k},
		{"edit detail", []string{at(`UPDATE events SET detail = detail || ' ' WHERE seq = %d`, k)}, k},
		{"edit at", []string{at(`UPDATE events SET at = at + 1 WHERE seq = %d`, k)}, k},
		{"edit account", []string{at(`UPDATE events SET account_id = 0 WHERE seq = %d`, k)}, k},
		{"edit outcome", []string{at(`UPDATE events SET outcome = 'failed' WHERE seq = %d`, k)}, k},
		{"edit hash", []string{at(`UPDATE events SET hash = randomblob(32) WHERE seq = %d`, k)}, k},
		{"edit prev_hash", []string{at(`UPDATE events SET prev_hash = randomblob(32) WHERE seq = %d`, k)}, k},
		{"edit seq", []string{at(`UPDATE events SET seq = -seq WHERE seq = %d`, k)}, k},
		{"edit first", []string{`UPDATE events SET actor = 'x' WHERE seq = 1`}, 1},
		{"edit last", []string{at(`UPDATE events SET actor = 'x' WHERE seq = %d`, n)}, n},
		{"delete", []string{at(`DELETE FROM events WHERE seq = %d`, k)}, k},
		{"delete first", []string{`DELETE FROM events WHERE seq = 1`}, 1},
		{"delete last", []string{at(`DELETE FROM events WHERE seq = %d`, n)}, n},
		{"delete last, head moved back", []string{
			at(`DELETE FROM events WHERE seq = %d`, n),
			at(`UPDATE audit_head SET seq = %[1]d, hash = (SELECT hash FROM events WHERE seq = %[1]d)`, n-1),
		}, n},
		{"delete last two, head moved back", []string{
			at(`DELETE FROM events WHERE seq >= %d`, n-1),
			at(`UPDATE audit_head SET seq = %[1]d, hash = (SELECT hash FROM events WHERE seq = %[1]d)`, n-2),
		}, n - 1},
		{"delete, later entries renumbered", []string{
			at(`DELETE FROM events WHERE seq = %d`, k),
			`DROP INDEX events_seq`,
			at(`UPDATE events SET seq = seq - 1 WHERE seq > %d`, k),
		}, k},
		{"reorder contents", swap(content), k},
		{"reorder contents and hashes", swap(content + `, prev_hash, hash`), k},
		{"reorder positions", []string{
			`DROP INDEX events_seq`,
			fmt.Sprintf(`UPDATE events SET seq = CASE seq WHEN %d THEN %d ELSE %d END WHERE seq IN (%d, %d)`, k, j, k, k, j),
		}, k},
		{"insert", []string{
			`DROP INDEX events_seq`,
			at(`UPDATE events SET seq = seq + 1 WHERE seq >= %d`, k),
			forged(fmt.Sprint(k)),
			`UPDATE audit_head SET seq = seq + 1`,
		}, k},
		{"insert duplicate", []string{`DROP INDEX events_seq`, forged(fmt.Sprint(k))}, k},
		{"insert first", []string{
			`DROP INDEX events_seq`,
			`UPDATE events SET seq = seq + 1`,
			`INSERT INTO events (at, account_id, actor, action, target, source, outcome, detail, seq, prev_hash, hash)
				VALUES (0, 1, 'user:1', 'meeting.create', '', '', 'ok', 'forged', 1, X'', randomblob(32))`,
		}, 1},
		{"insert last", []string{forged(fmt.Sprint(n + 1))}, n + 1},
		{"insert last, head moved on", []string{
			forged(fmt.Sprint(n + 1)),
			at(`UPDATE audit_head SET seq = %[1]d, hash = (SELECT hash FROM events WHERE seq = %[1]d)`, n+1),
		}, n + 1},
		{"insert without seq", []string{
			`INSERT INTO events (at, account_id, actor, action, target, source, outcome, detail)
				VALUES (0, 1, 'user:1', 'meeting.create', '', '', 'ok', 'forged')`,
		}, n + 1},
	}
}

// TestAuditChainMutations applies every kind of single mutation, at the
// first, the last and random entries, to copies of one store, and checks
// that verification names the right first bad entry every time.
func TestAuditChainMutations(t *testing.T) {
	orig := mustAuditStore(t)
	if n, bad := mustVerify(t, orig); bad != nil || n != auditEntries {
		t.Fatalf("untouched store: %d entries, %v; want %d, no break", n, bad, auditEntries)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	places := [][2]int64{{1, 2}, {1, auditEntries}, {auditEntries - 1, auditEntries}}
	for range 3 {
		k := 1 + rng.Int64N(auditEntries-1)
		places = append(places, [2]int64{k, k + 1 + rng.Int64N(auditEntries-k)})
	}
	if testing.Short() {
		places = places[:2]
	}
	seen := map[string]bool{}
	for _, kj := range places {
		for _, m := range mutations(kj[0], kj[1]) {
			name := fmt.Sprintf("%s at %d", m.name, m.bad)
			if strings.HasPrefix(m.name, "reorder") {
				name = fmt.Sprintf("%s of %d and %d", m.name, kj[0], kj[1])
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			t.Run(name, func(t *testing.T) {
				path := copyStore(t, orig)
				raw := openRaw(t, path)
				for _, q := range append(append([]string{}, unguard...), m.sql...) {
					if _, err := raw.Exec(q); err != nil {
						raw.Close()
						t.Fatalf("%s: %v", q, err)
					}
				}
				if err := raw.Close(); err != nil {
					t.Fatal(err)
				}
				_, bad := mustVerify(t, path)
				if bad == nil {
					t.Fatalf("verify found nothing wrong; want entry %d", m.bad)
				}
				if bad.Seq != m.bad {
					t.Errorf("verify: broken at entry %d (%s); want entry %d", bad.Seq, bad.Reason, m.bad)
				}
			})
		}
	}
}

// TestAuditChainConcurrent appends from many goroutines through two
// handles on one file, with joins, and checks that they form one chain.
func TestAuditChainConcurrent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "admit.db")
	dbs := []*sqlite.DB{mustOpenAudit(t, path), mustOpenAudit(t, path)}
	const goroutines, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := dbs[g%2]
			for i := range each {
				var err error
				if i%3 == 0 {
					err = db.RecordAttempt(ctx, &admit.Attempt{At: time.Now(), Channel: admit.ChannelAPI, Source: "10.0.0.9",
						Method: admit.MethodMeetingID, Outcome: admit.OutcomeRefused, Reason: admit.ReasonUnknownMeeting})
				} else {
					err = db.AppendEvents(ctx, &admit.Event{Actor: "cli", Action: "test", Outcome: "ok", Detail: fmt.Sprint(g, "/", i)},
						&admit.Event{Actor: "cli", Action: "test", Outcome: "ok", Detail: fmt.Sprint(g, "/", i, "b")})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, db := range dbs {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	attempts := goroutines * ((each + 2) / 3)
	want := int64(attempts + 2*(goroutines*each-attempts))
	n, bad := mustVerify(t, path)
	if bad != nil || n != want {
		t.Errorf("verify: %d entries, %v; want %d, no break", n, bad, want)
	}
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
	if _, bad, err := admit.Verify(ctx, db, nil); err != nil || bad != nil {
		t.Errorf("verify: %v, %v", bad, err)
	}
}

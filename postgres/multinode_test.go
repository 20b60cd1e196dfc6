package postgres_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/postgres"
	"github.com/admit-project/admit/translog"
)

// The tests in this file open two stores (two pools, as two nodes have) on
// one schema and race them.

var t0 = time.Date(2030, time.March, 4, 15, 0, 0, 0, time.UTC)

// nodes opens n stores on one fresh schema, with one account and host,
// each store under the audit key.
type nodes struct {
	dsn     string
	dbs     []*postgres.DB
	account *admit.Account
	host    *admit.User
	key     []byte
}

func openNodes(t *testing.T, n int) *nodes {
	t.Helper()
	ns := &nodes{dsn: FreshSchema(t), key: []byte("0123456789abcdef0123456789abcdef")}
	ctx := context.Background()
	for range n {
		db := MustOpenDB(t, ns.dsn)
		t.Cleanup(func() { db.Close() })
		if err := db.SetAuditKey(ctx, ns.key); err != nil {
			t.Fatal(err)
		}
		ns.dbs = append(ns.dbs, db)
	}
	ns.account = &admit.Account{Name: "Acme", Plan: admit.PlanPro, Security: admit.DefaultAccountSecurity()}
	must(t, ns.dbs[0].CreateAccount(ctx, ns.account))
	ns.host = &admit.User{AccountID: ns.account.ID, Email: "host@example.com", Name: "Host", Role: admit.RoleOwner, Timezone: "UTC"}
	must(t, ns.dbs[0].CreateUser(ctx, ns.host))
	return ns
}

// meeting returns an unsaved meeting with one occurrence at start whose
// access code is code.
func (ns *nodes) meeting(number string, start time.Time, code string) *admit.Meeting {
	o := admit.NewOccurrence(1, start, 60, admit.DefaultSecurity())
	o.AccessCode = &admit.Secret{Index: []byte("index:" + code), Sealed: []byte("sealed:" + code)}
	return &admit.Meeting{
		ID: "m" + number, AccountID: ns.account.ID, HostID: ns.host.ID, Number: number, Topic: "Topic",
		Kind: admit.KindScheduled, Start: start, Duration: 60, Timezone: "UTC", Security: admit.DefaultSecurity(),
		Occurrences: []*admit.Occurrence{o},
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// race runs fn(i) for i in [0, n) on n goroutines released together.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = fn(i)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

func count(t *testing.T, errs []error, code, field string) (ok, refused int) {
	t.Helper()
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case admit.ErrorCode(err) == code && admit.ErrorField(err) == field:
			refused++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	return ok, refused
}

// TestTwoNodesAccessCodeExclusion saves meetings whose windows overlap and
// share one access code from two stores at once: the exclusion constraint
// lets exactly one in, and the others get ECONFLICT access_code.
func TestTwoNodesAccessCodeExclusion(t *testing.T) {
	ns := openNodes(t, 2)
	const n = 40
	errs := race(n, func(i int) error {
		m := ns.meeting(fmt.Sprintf("8234%07d", i), t0.Add(time.Duration(i)*time.Minute), "contested")
		return ns.dbs[i%2].SaveMeeting(context.Background(), m, t0)
	})
	ok, refused := count(t, errs, admit.ECONFLICT, "access_code")
	if ok != 1 || refused != n-1 {
		t.Errorf("%d saved, %d refused; want 1 and %d", ok, refused, n-1)
	}
	var rows int
	must(t, ns.dbs[1].Pool().QueryRow(context.Background(),
		`SELECT count(*) FROM access_codes WHERE idx = $1`, []byte("index:contested")).Scan(&rows))
	if rows != 1 {
		t.Errorf("%d access_codes rows with the code, want 1", rows)
	}
}

// TestTwoNodesMaxUses admits 50 joins at once through two stores on an
// access code with max_uses 1: exactly one is admitted.
func TestTwoNodesMaxUses(t *testing.T) {
	ns := openNodes(t, 2)
	ctx := context.Background()
	m := ns.meeting("82345678901", t0, "once")
	must(t, ns.dbs[0].SaveMeeting(ctx, m, t0.Add(-time.Hour)))
	o := m.Occurrences[0]
	const n = 50
	errs := race(n, func(i int) error {
		p := &admit.Participant{ID: fmt.Sprintf("p%d", i), OccurrencePK: o.PK, BaseName: "Guest",
			Channel: admit.ChannelWeb, Source: "192.0.2.1", State: admit.StateAdmitted, JoinedAt: t0}
		a := &admit.Admission{Participant: p, ViaAccessCode: true, MaxUses: 1,
			Attempt: &admit.Attempt{At: t0, MeetingPK: m.PK, OccurrencePK: o.PK, Occurrence: 1, Channel: p.Channel,
				Source: p.Source, Method: "access_code", Outcome: admit.OutcomeAdmitted}}
		return ns.dbs[i%2].Admit(ctx, a)
	})
	ok, refused := count(t, errs, admit.ECONFLICT, "max_uses")
	if ok != 1 || refused != n-1 {
		t.Errorf("%d admitted, %d refused; want 1 and %d", ok, refused, n-1)
	}
	ps, err := ns.dbs[1].FindParticipants(ctx, o.PK)
	must(t, err)
	got, err := ns.dbs[1].FindOccurrence(ctx, o.PK)
	must(t, err)
	if len(ps) != 1 || got.Uses != 1 {
		t.Errorf("%d participants, %d uses; want 1 and 1", len(ps), got.Uses)
	}
}

// TestTwoNodesGuessBudget counts failed guesses from two stores at once:
// the count is exact and exactly one failure spends the budget.
func TestTwoNodesGuessBudget(t *testing.T) {
	ns := openNodes(t, 2)
	ctx := context.Background()
	m := ns.meeting("82345678902", t0, "budget")
	must(t, ns.dbs[0].SaveMeeting(ctx, m, t0.Add(-time.Hour)))
	const n, budget = 60, 25
	attempts := make([]*admit.Attempt, n)
	errs := race(n, func(i int) error {
		attempts[i] = &admit.Attempt{At: t0, MeetingPK: m.PK, Channel: admit.ChannelWeb, Source: "198.51.100.7",
			Method: "meeting_id", Outcome: admit.OutcomeRefused, Reason: admit.ReasonWrongPasscode, GuessBudget: budget}
		return ns.dbs[i%2].RecordAttempt(ctx, attempts[i])
	})
	for _, err := range errs {
		must(t, err)
	}
	spent := 0
	seen := map[int]bool{}
	for _, a := range attempts {
		if a.BudgetSpent {
			spent++
		}
		seen[a.BudgetFailures] = true
	}
	b, err := ns.dbs[1].FindGuessBudget(ctx, m.PK)
	must(t, err)
	if b.Failures != n || spent != 1 || len(seen) != n {
		t.Errorf("failures %d, %d spent it, %d distinct counts; want %d, 1, %d", b.Failures, spent, len(seen), n, n)
	}
}

// TestTwoNodesAuditLog appends from two stores at once while each runs an
// integrator: one leads (the advisory lock), every entry is placed once,
// and the log verifies.
func TestTwoNodesAuditLog(t *testing.T) {
	ns := openNodes(t, 2)
	ctx := context.Background()
	skey, err := translog.GenerateSignerKey(nil, "admit-audit-test")
	must(t, err)
	signer, err := translog.NewSigner(skey)
	must(t, err)
	ictx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	for _, db := range ns.dbs {
		in := &translog.Integrator{Store: db.AuditLog(), Signer: signer, Interval: 20 * time.Millisecond}
		go func() { in.Run(ictx); done <- struct{}{} }()
	}
	defer func() { cancel(); <-done; <-done }()
	const goroutines, each = 8, 15
	errs := race(goroutines, func(g int) error {
		for i := range each {
			e := &admit.Event{At: t0, AccountID: ns.account.ID, Actor: "cli", Action: "test", Outcome: "ok", Detail: fmt.Sprint(g, "/", i)}
			if err := ns.dbs[g%2].AppendEvents(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	for _, err := range errs {
		must(t, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		cp, ok, err := translog.LatestCheckpoint(ctx, ns.dbs[1].AuditLog(), signer.Verifier())
		must(t, err)
		if ok && cp.Size == goroutines*each {
			rep, err := translog.Verify(ctx, ns.dbs[0].AuditLog(), translog.VerifyOptions{Verifier: signer.Verifier(), Trusted: &cp})
			must(t, err)
			if rep.Problem != nil || rep.Entries != goroutines*each {
				t.Errorf("verify: %d entries, %v", rep.Entries, rep.Problem)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the integrators covered %d of %d entries", cp.Size, goroutines*each)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitChanged polls db's MeetingChanges after seq until it reports pk (or
// tells to forget everything), failing after a generous while: the
// notification travels through the server.
func waitChanged(t *testing.T, db *postgres.DB, after, pk int64) (latest int64, all bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		latest, pks, all, err := db.MeetingChanges(context.Background(), after)
		must(t, err)
		if all || slices.Contains(pks, pk) {
			return latest, all
		}
		if time.Now().After(deadline) {
			t.Fatalf("MeetingChanges(%d) never reported meeting %d (latest %d, %v)", after, pk, latest, pks)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestListenMeetingChanges shows a code revoked through one store reach
// the other through LISTEN/NOTIFY, the other answering from memory while
// nothing is notified, and forgetting everything once its listener
// reconnects.
func TestListenMeetingChanges(t *testing.T) {
	ns := openNodes(t, 2)
	ctx := context.Background()
	a, b := ns.dbs[0], ns.dbs[1]
	seq, _, _, err := b.MeetingChanges(ctx, 0)
	must(t, err)
	waitListening(t, b)
	seq, _, _, err = b.MeetingChanges(ctx, seq)
	must(t, err)

	m := ns.meeting("82345678903", t0, "revoke-me")
	must(t, a.SaveMeeting(ctx, m, t0.Add(-time.Hour)))
	seq, all := waitChanged(t, b, seq, m.PK)
	if all {
		t.Errorf("MeetingChanges after a save: all set, want the meeting")
	}

	// A row slipped into the log without a notification is not seen: b
	// answers from memory, without reading the log.
	raw := rawConn(t, ns.dsn)
	_, err = raw.Exec(ctx, `INSERT INTO meeting_changes (meeting_pk) VALUES (424242)`)
	must(t, err)
	if latest, pks, all, err := b.MeetingChanges(ctx, seq); err != nil || latest != seq || len(pks) != 0 || all {
		t.Errorf("MeetingChanges(%d) with nothing notified = %d, %v, %v, %v; want %d from memory", seq, latest, pks, all, err, seq)
	}
	// Once notified, b reads the log and finds it.
	_, err = raw.Exec(ctx, `SELECT pg_notify($1, '424242')`, b.ChangesChannel())
	must(t, err)
	seq, _ = waitChanged(t, b, seq, 424242)

	// Revoking the code on a is a change b hears of.
	m.Occurrences[0].AccessCode = nil
	must(t, a.SaveMeeting(ctx, m, t0.Add(-time.Minute)))
	seq, _ = waitChanged(t, b, seq, m.PK)
	dir, err := b.LoadDirectory(ctx, m.PK, t0)
	must(t, err)
	if len(dir.Codes) != 1 || !dir.Codes[0].Revoked {
		t.Errorf("directory on b after the revocation on a = %+v; want the code revoked", dir.Codes)
	}

	// The listener's connection drops: once it is back, b tells its
	// callers to forget everything, once.
	pid := b.ListenerPID()
	_, err = raw.Exec(ctx, `SELECT pg_terminate_backend($1)`, int32(pid))
	must(t, err)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if p := b.ListenerPID(); p != 0 && p != pid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the listener did not reconnect")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, _, all, err := b.MeetingChanges(ctx, seq); err != nil || !all {
		t.Errorf("MeetingChanges after reconnecting: all %v, %v; want all", all, err)
	}
	if latest, _, all, err := b.MeetingChanges(ctx, seq); err != nil || all || latest != seq {
		t.Errorf("MeetingChanges again: %d, all %v, %v; want %d, not all", latest, all, err, seq)
	}
}

// waitListening waits until db's listener is connected.
func waitListening(t *testing.T, db *postgres.DB) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for db.ListenerPID() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the listener did not connect")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func rawConn(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	must(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestFeedAcrossStores publishes on one store's feed and receives on both.
func TestFeedAcrossStores(t *testing.T) {
	ns := openNodes(t, 2)
	for _, db := range ns.dbs {
		waitListening(t, db)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var subs []<-chan admit.Change
	for _, db := range ns.dbs {
		ch, err := postgres.NewFeed(db).Subscribe(ctx)
		must(t, err)
		subs = append(subs, ch)
	}
	want := admit.Change{Kind: admit.ChangeRoster, MeetingPK: 7, OccurrencePK: 9}
	must(t, postgres.NewFeed(ns.dbs[0]).Publish(ctx, want))
	for i, ch := range subs {
		select {
		case got := <-ch:
			if got != want {
				t.Errorf("store %d received %+v, want %+v", i, got, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("store %d received nothing", i)
		}
	}
	cancel()
	for i, ch := range subs {
		for range ch {
		}
		_ = i // the channel closes once ctx is done
	}
}

// TestSchemaGuards checks that the database itself refuses to forget a
// meeting number or rewrite the audit trail.
func TestSchemaGuards(t *testing.T) {
	ns := openNodes(t, 1)
	ctx := context.Background()
	must(t, ns.dbs[0].AppendEvents(ctx, &admit.Event{At: t0, Actor: "cli", Action: "test", Outcome: "ok"}))
	raw := rawConn(t, ns.dsn)
	_, err := raw.Exec(ctx, `INSERT INTO numbers (number, meeting_pk, issued_at) VALUES ('81234567890', 1, 0)`)
	must(t, err)
	for _, q := range []string{
		`DELETE FROM numbers`,
		`UPDATE numbers SET meeting_pk = 2`,
		`TRUNCATE numbers`,
		`INSERT INTO numbers (number, meeting_pk, issued_at) VALUES ('81234567890', 2, 0)`,
		`UPDATE events SET detail = 'forged'`,
		`DELETE FROM events`,
		`DELETE FROM audit_head`,
	} {
		if _, err := raw.Exec(ctx, q); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
}

// TestMigrateTwice runs the migrations again on a migrated schema, and from
// two processes' worth of stores at once.
func TestMigrateTwice(t *testing.T) {
	dsn := FreshSchema(t)
	ctx := context.Background()
	errs := race(3, func(int) error {
		_, err := postgres.Migrate(ctx, dsn)
		return err
	})
	for _, err := range errs {
		must(t, err)
	}
	v, err := postgres.Migrate(ctx, dsn)
	must(t, err)
	if v < 1 {
		t.Errorf("schema version %d, want at least 1", v)
	}
}

// TestTwoNodesSharedCredentialNames admits holders of one invitee's
// credential through two stores at once: each gets a name of its own.
func TestTwoNodesSharedCredentialNames(t *testing.T) {
	ns := openNodes(t, 2)
	ctx := context.Background()
	m := ns.meeting("82345678904", t0, "shared")
	m.Invitees = []*admit.Invitee{{ID: "iann", Name: "Ann", PIN: &admit.Secret{Index: []byte("pin"), Sealed: []byte("pin")}}}
	must(t, ns.dbs[0].SaveMeeting(ctx, m, t0.Add(-time.Hour)))
	o, inv := m.Occurrences[0], m.Invitees[0]
	const n = 12
	ps := make([]*admit.Participant, n)
	errs := race(n, func(i int) error {
		ps[i] = &admit.Participant{ID: fmt.Sprintf("pann%d", i), OccurrencePK: o.PK, InviteePK: inv.PK, BaseName: "Ann",
			Channel: admit.ChannelWeb, Source: "192.0.2.1", State: admit.StateAdmitted, JoinedAt: t0}
		return ns.dbs[i%2].Admit(ctx, &admit.Admission{Participant: ps[i]})
	})
	names := map[string]bool{}
	for i, err := range errs {
		must(t, err)
		names[ps[i].DisplayName] = true
	}
	if len(names) != n || !names["Ann"] || !names[fmt.Sprintf("Ann (%d)", n)] {
		t.Errorf("names %v; want Ann, Ann (2) … Ann (%d)", names, n)
	}
}

// TestTwoNodesPersonalRoom opens a personal room from two stores at once:
// one occurrence is added and every caller gets it.
func TestTwoNodesPersonalRoom(t *testing.T) {
	ns := openNodes(t, 2)
	ctx := context.Background()
	room := &admit.Meeting{ID: "mroom", AccountID: ns.account.ID, HostID: ns.host.ID, Number: "8123456789", Topic: "Room",
		Kind: admit.KindPersonal, Duration: 60, Timezone: "UTC", Security: admit.DefaultSecurity()}
	must(t, ns.dbs[0].SaveMeeting(ctx, room, t0.Add(-time.Hour)))
	const n = 10
	pks := make([]int64, n)
	errs := race(n, func(i int) error {
		o, err := ns.dbs[i%2].OpenPersonalOccurrence(ctx, room.PK, t0, func(index int) *admit.Occurrence {
			return admit.NewOccurrence(index, t0, 60, admit.DefaultSecurity())
		})
		if err == nil {
			pks[i] = o.PK
		}
		return err
	})
	for _, err := range errs {
		must(t, err)
	}
	got, err := ns.dbs[1].FindPersonalRoom(ctx, ns.host.ID)
	must(t, err)
	if len(got.Occurrences) != 1 {
		t.Fatalf("%d occurrences opened, want 1", len(got.Occurrences))
	}
	for i, pk := range pks {
		if pk != got.Occurrences[0].PK {
			t.Errorf("caller %d got occurrence %d, want %d", i, pk, got.Occurrences[0].PK)
		}
	}
}

// TestGroupCommitFailuresStayAlone admits many joins at once through one
// store, half of them with one participant id that only one can take: the
// failures roll back alone (their savepoints), every other admission
// commits, and the audit chain holds exactly the admissions'.
func TestGroupCommitFailuresStayAlone(t *testing.T) {
	ns := openNodes(t, 1)
	db := ns.dbs[0]
	ctx := context.Background()
	m := ns.meeting("82345678905", t0, "group")
	must(t, db.SaveMeeting(ctx, m, t0.Add(-time.Hour)))
	o := m.Occurrences[0]
	const n = 40
	errs := race(n, func(i int) error {
		id := fmt.Sprintf("pg%d", i)
		if i%2 == 0 {
			id = "taken"
		}
		p := &admit.Participant{ID: id, OccurrencePK: o.PK, BaseName: "Guest",
			Channel: admit.ChannelWeb, Source: "192.0.2.1", State: admit.StateAdmitted, JoinedAt: t0}
		return db.Admit(ctx, &admit.Admission{Participant: p, ViaAccessCode: true,
			Attempt: &admit.Attempt{At: t0, MeetingPK: m.PK, OccurrencePK: o.PK, Channel: p.Channel, Source: p.Source,
				Method: "access_code", Outcome: admit.OutcomeAdmitted}})
	})
	ok := 0
	for i, err := range errs {
		if err == nil {
			ok++
		} else if i%2 != 0 {
			t.Errorf("admission %d with an id of its own: %v", i, err)
		}
	}
	if ok != n/2+1 {
		t.Errorf("%d admitted, want %d", ok, n/2+1)
	}
	got, err := db.FindOccurrence(ctx, o.PK)
	must(t, err)
	ps, err := db.FindParticipants(ctx, o.PK)
	must(t, err)
	attempts, err := db.FindAttempts(ctx, m.PK, 0)
	must(t, err)
	if got.Uses != ok || len(ps) != ok || len(attempts) != ok {
		t.Errorf("%d uses, %d participants, %d attempts; want %d each", got.Uses, len(ps), len(attempts), ok)
	}
	events, err := db.FindEvents(ctx, admit.EventFilter{Action: "join."})
	must(t, err)
	if len(events) != ok {
		t.Errorf("%d join entries; want %d", len(events), ok)
	}
}

// TestListenerHeartbeat runs the listener with a heartbeat far shorter
// than the test: through many quiet spells and their checks, it keeps its
// one connection and still hears every change.
func TestListenerHeartbeat(t *testing.T) {
	defer postgres.SetHeartbeat(20 * time.Millisecond)()
	ns := openNodes(t, 2)
	ctx := context.Background()
	a, b := ns.dbs[0], ns.dbs[1]
	waitListening(t, b)
	pid := b.ListenerPID()
	seq, _, _, err := b.MeetingChanges(ctx, 0)
	must(t, err)
	for i := range 5 {
		time.Sleep(100 * time.Millisecond) // several heartbeats
		m := ns.meeting(fmt.Sprintf("8234567891%d", i), t0.Add(time.Duration(i)*24*time.Hour), fmt.Sprintf("hb-%d", i))
		must(t, a.SaveMeeting(ctx, m, t0.Add(-time.Hour)))
		seq, _ = waitChanged(t, b, seq, m.PK)
	}
	if got := b.ListenerPID(); got != pid {
		t.Errorf("listener connection %d became %d: the heartbeat broke it", pid, got)
	}
}

// TestFindMeetingsWhole lists meetings with occurrences, invitees and
// credentials, read together for all of them, and finds each as
// FindMeetingByID reads it alone.
func TestFindMeetingsWhole(t *testing.T) {
	ns := openNodes(t, 1)
	db := ns.dbs[0]
	ctx := context.Background()
	sec := func(v string) *admit.Secret { return &admit.Secret{Index: []byte("i" + v), Sealed: []byte("s" + v)} }
	for i := range 4 {
		m := ns.meeting(fmt.Sprintf("8234567892%d", i), t0.Add(time.Duration(i)*time.Hour), fmt.Sprintf("fm-%d", i))
		o2 := admit.NewOccurrence(2, t0.Add(48*time.Hour+time.Duration(i)*time.Hour), 60, admit.DefaultSecurity())
		o2.AccessCode = sec(fmt.Sprintf("fm2-%d", i))
		m.Occurrences = append(m.Occurrences, o2)
		m.Passcode, m.PhonePasscode = sec(fmt.Sprint("p", i)), sec(fmt.Sprint("pp", i))
		for j := range i {
			m.Invitees = append(m.Invitees, &admit.Invitee{ID: fmt.Sprintf("i%d-%d", i, j), Name: "N", Email: "n@example.com",
				Token: sec(fmt.Sprintf("t%d-%d", i, j)), PIN: sec(fmt.Sprintf("pin%d-%d", i, j))})
		}
		must(t, db.SaveMeeting(ctx, m, t0.Add(-time.Hour)))
	}
	list, err := db.FindMeetings(ctx, admit.MeetingFilter{AccountID: ns.account.ID})
	must(t, err)
	if len(list) != 4 {
		t.Fatalf("%d meetings listed, want 4", len(list))
	}
	for _, got := range list {
		want, err := db.FindMeetingByID(ctx, ns.account.ID, got.ID)
		must(t, err)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("listed %+v\nalone  %+v", got, want)
		}
	}
}

package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog"
	"github.com/admit-project/admit/translog/logtest"
)

// logAttacker changes the database directly, its triggers disabled, as
// someone with write access to it (and no signing key) can.
type logAttacker struct{ conn *pgx.Conn }

func (a logAttacker) exec(ctx context.Context, sql string, args ...any) error {
	_, err := a.conn.Exec(ctx, sql, args...)
	return err
}

func (a logAttacker) SetDetail(ctx context.Context, seq int64, detail string) error {
	return a.exec(ctx, `UPDATE events SET detail = $1 WHERE seq = $2`, detail, seq)
}

func (a logAttacker) SetHash(ctx context.Context, seq int64, hash []byte) error {
	return a.exec(ctx, `UPDATE events SET leaf_hash = $1 WHERE seq = $2`, hash, seq)
}

func (a logAttacker) Delete(ctx context.Context, from, through int64) error {
	return a.exec(ctx, `DELETE FROM events WHERE seq BETWEEN $1 AND $2`, from, through)
}

func (a logAttacker) Renumber(ctx context.Context, from, delta int64) error {
	if err := a.exec(ctx, `UPDATE events SET seq = -(seq + $1) WHERE seq >= $2`, delta, from); err != nil {
		return err
	}
	return a.exec(ctx, `UPDATE events SET seq = -seq WHERE seq < 0`)
}

func (a logAttacker) Swap(ctx context.Context, x, y int64) error {
	if err := a.exec(ctx, `UPDATE events SET seq = CASE seq WHEN $1::bigint THEN -$2::bigint ELSE -$1::bigint END WHERE seq IN ($1, $2)`, x, y); err != nil {
		return err
	}
	return a.exec(ctx, `UPDATE events SET seq = -seq WHERE seq < 0`)
}

func (a logAttacker) Insert(ctx context.Context, e *admit.Event) error {
	return a.exec(ctx, `INSERT INTO events (at, account_id, actor, action, target, source, outcome, detail, seq, leaf_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, e.At.UnixNano(), e.AccountID, e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail, e.Seq, e.Hash)
}

func (a logAttacker) RollBack(ctx context.Context, s translog.TreeState) error {
	var hashes []byte
	for _, h := range s.Hashes {
		hashes = append(hashes, h...)
	}
	if err := a.exec(ctx, `UPDATE audit_tree SET size = $1, hashes = $2`, int64(s.Size), hashes); err != nil {
		return err
	}
	return a.exec(ctx, `DELETE FROM audit_checkpoints WHERE size > $1`, int64(s.Size))
}

func (a logAttacker) Wipe(ctx context.Context) error {
	for _, s := range []string{`DELETE FROM events`, `DELETE FROM audit_nodes`, `DELETE FROM audit_checkpoints`,
		`UPDATE audit_tree SET size = 0, hashes = '\x'`, `UPDATE audit_head SET seq = 0, hash = '\x', mac = NULL`} {
		if err := a.exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func (a logAttacker) AddCheckpoint(ctx context.Context, cp translog.Checkpoint) error {
	return a.exec(ctx, `INSERT INTO audit_checkpoints (size, signed_at, note) VALUES ($1, $2, $3)`,
		int64(cp.Size), cp.Time.UnixNano(), string(cp.Note))
}

// newLogHarness opens a store in a fresh schema; its writers append
// through AppendEvents, the attacker edits the tables directly.
func newLogHarness(t *testing.T) logtest.Harness {
	dsn := FreshSchema(t)
	db := MustOpenDB(t, dsn)
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := db.SetAuditKey(ctx, []byte("0123456789abcdef0123456789abcdef")); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, `ALTER TABLE events DISABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	return logtest.Harness{Store: db.AuditLog(), Append: db.AppendEvents, Attacker: logAttacker{conn: conn}}
}

func TestAuditLogConformance(t *testing.T) { logtest.RunConformance(t, newLogHarness) }

func TestAuditLogAttacks(t *testing.T) { logtest.RunAttacks(t, newLogHarness) }

// TestAuditLogLeaderFailsOver: two nodes on one store; the second cannot
// lead while the first does, and leads once PostgreSQL has ended the first
// node's session (as when its process or host dies), with no unlock.
func TestAuditLogLeaderFailsOver(t *testing.T) {
	dsn := FreshSchema(t)
	ctx := context.Background()
	a := MustOpenDB(t, dsn)
	defer a.Close()
	b := MustOpenDB(t, dsn)
	defer b.Close()
	releaseA, ok, err := a.AuditLog().TryLead(ctx)
	if err != nil || !ok {
		t.Fatalf("node a: %v %v", ok, err)
	}
	defer releaseA() // its connection is gone by then: the pool drops it
	if _, ok, err := b.AuditLog().TryLead(ctx); err != nil || ok {
		t.Fatalf("node b while a leads: %v %v", ok, err)
	}
	const key = `hashtextextended('admit audit integrator ' || current_schema(), 0)`
	var killed int
	if err := b.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted
		  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND classid = ((`+key+` >> 32) & 4294967295)::bigint::oid
		  AND objid = (`+key+` & 4294967295)::bigint::oid`).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("ended %d sessions holding the integrator's lock, want 1", killed)
	}
	for i := 0; ; i++ {
		release, got, err := b.AuditLog().TryLead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got {
			release()
			break
		}
		if i == 100 {
			t.Fatal("node b never led after node a's session ended")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

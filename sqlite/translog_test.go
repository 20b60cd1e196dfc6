package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog"
	"github.com/admit-project/admit/translog/logtest"
)

// logAttacker changes the database file directly, its guards dropped, as
// someone with write access to the file can.
type logAttacker struct{ raw *sql.DB }

func (a logAttacker) exec(ctx context.Context, stmts ...string) error {
	for _, s := range stmts {
		if _, err := a.raw.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func (a logAttacker) SetDetail(ctx context.Context, seq int64, detail string) error {
	_, err := a.raw.ExecContext(ctx, `UPDATE events SET detail = ? WHERE seq = ?`, detail, seq)
	return err
}

func (a logAttacker) SetHash(ctx context.Context, seq int64, hash []byte) error {
	_, err := a.raw.ExecContext(ctx, `UPDATE events SET leaf_hash = ? WHERE seq = ?`, hash, seq)
	return err
}

func (a logAttacker) Delete(ctx context.Context, from, through int64) error {
	_, err := a.raw.ExecContext(ctx, `DELETE FROM events WHERE seq BETWEEN ? AND ?`, from, through)
	return err
}

func (a logAttacker) Renumber(ctx context.Context, from, delta int64) error {
	if _, err := a.raw.ExecContext(ctx, `UPDATE events SET seq = -(seq + ?) WHERE seq >= ?`, delta, from); err != nil {
		return err
	}
	return a.exec(ctx, `UPDATE events SET seq = -seq WHERE seq < 0`)
}

func (a logAttacker) Swap(ctx context.Context, x, y int64) error {
	if _, err := a.raw.ExecContext(ctx, `UPDATE events SET seq = CASE seq WHEN ? THEN -? ELSE -? END WHERE seq IN (?, ?)`, x, y, x, x, y); err != nil {
		return err
	}
	return a.exec(ctx, `UPDATE events SET seq = -seq WHERE seq < 0`)
}

func (a logAttacker) Insert(ctx context.Context, e *admit.Event) error {
	_, err := a.raw.ExecContext(ctx, `INSERT INTO events (at, account_id, actor, action, target, source, outcome, detail, seq, leaf_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.At.UnixNano(), e.AccountID, e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail, e.Seq, e.Hash)
	return err
}

func (a logAttacker) RollBack(ctx context.Context, s translog.TreeState) error {
	var hashes []byte
	for _, h := range s.Hashes {
		hashes = append(hashes, h...)
	}
	if _, err := a.raw.ExecContext(ctx, `UPDATE audit_tree SET size = ?, hashes = ?`, int64(s.Size), hashes); err != nil {
		return err
	}
	_, err := a.raw.ExecContext(ctx, `DELETE FROM audit_checkpoints WHERE size > ?`, int64(s.Size))
	return err
}

func (a logAttacker) Wipe(ctx context.Context) error {
	return a.exec(ctx, `DELETE FROM events`, `DELETE FROM audit_nodes`, `DELETE FROM audit_checkpoints`,
		`UPDATE audit_tree SET size = 0, hashes = X''`, `UPDATE audit_head SET seq = 0, hash = X'', mac = NULL`)
}

func (a logAttacker) AddCheckpoint(ctx context.Context, cp translog.Checkpoint) error {
	_, err := a.raw.ExecContext(ctx, `INSERT INTO audit_checkpoints (size, signed_at, note) VALUES (?, ?, ?)`,
		int64(cp.Size), cp.Time.UnixNano(), string(cp.Note))
	return err
}

// newLogHarness opens a new store; its writers append through
// AppendEvents, the attacker edits the file.
func newLogHarness(t *testing.T) logtest.Harness {
	path := filepath.Join(t.TempDir(), "admit.db")
	db := mustOpenAudit(t, path)
	t.Cleanup(func() { db.Close() })
	raw := openRaw(t, path)
	t.Cleanup(func() { raw.Close() })
	a := logAttacker{raw: raw}
	if err := a.exec(context.Background(), unguard...); err != nil {
		t.Fatal(err)
	}
	return logtest.Harness{Store: db.AuditLog(), Append: db.AppendEvents, Attacker: a}
}

func TestAuditLogConformance(t *testing.T) { logtest.RunConformance(t, newLogHarness) }

func TestAuditLogAttacks(t *testing.T) { logtest.RunAttacks(t, newLogHarness) }

// TestAuditLogBuildsTreeFromChain: a store whose entries were written by
// the old hash chain gets its tree from them, in chain order, once, and
// says so; the chain's columns are left as they were.
func TestAuditLogBuildsTreeFromChain(t *testing.T) {
	ctx := context.Background()
	path := mustAuditStore(t) // 300 entries
	// As the old hash chain left them: each with its seq and a chain hash.
	raw := openRaw(t, path)
	for _, q := range append(unguard, `UPDATE events SET seq = id, prev_hash = X'00', hash = X'01'`) {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db := mustOpenAudit(t, path)
	defer db.Close()
	signer, err := translog.NewSigner(mustSkey(t))
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	in := &translog.Integrator{Store: db.AuditLog(), Signer: signer, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	if n, err := in.Step(ctx); err != nil || n != auditEntries {
		t.Fatalf("first pass: %d entries, %v", n, err)
	}
	if !strings.Contains(logs.String(), "built the tree from the existing hash chain") || !strings.Contains(logs.String(), "entries=300") {
		t.Errorf("the first pass did not say it built the tree from the chain: %s", logs.String())
	}
	es, err := db.AuditLog().Entries(ctx, 0, auditEntries)
	if err != nil || len(es) != auditEntries {
		t.Fatalf("entries: %d %v", len(es), err)
	}
	for i, e := range es {
		if e.Seq != int64(i+1) || e.Detail != fmt.Sprint("entry ", i+1) {
			t.Fatalf("entry %d: seq %d detail %q: not in chain order", i+1, e.Seq, e.Detail)
		}
	}
	trusted, _, err := translog.LatestCheckpoint(ctx, db.AuditLog(), signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := translog.Verify(ctx, db.AuditLog(), translog.VerifyOptions{Verifier: signer.Verifier(), Trusted: &trusted})
	if err != nil || rep.Problem != nil || rep.Entries != auditEntries {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	var kept int
	if err := openRaw(t, path).QueryRow(`SELECT count(*) FROM events WHERE prev_hash = X'00' AND hash = X'01'`).Scan(&kept); err != nil || kept != auditEntries {
		t.Errorf("the old chain's hashes after the tree was built: %d kept, %v", kept, err)
	}
}

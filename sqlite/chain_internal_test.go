package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/admit-project/admit"
)

// TestAuditChainLegacy writes events with the schema of before the chain,
// then opens the store: the migration numbers them in id order and the
// first write with the key hashes them, so that the old entries verify and
// new ones chain on.
func TestAuditChainLegacy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "admit.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, mustSub(migrations, "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 2); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := raw.Exec(`INSERT INTO events (id, at, account_id, actor, action, target, source, outcome, detail)
			VALUES (?, ?, 1, 'user:1', 'meeting.create', 'meeting:m', '', 'ok', '')`, 10+i*3, 1000+i); err != nil {
			t.Fatal(err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	key := []byte("legacy key")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.SetAuditKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := db.AppendEvents(ctx, &admit.Event{Actor: "cli", Action: "test", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	n, bad, err := admit.Verify(ctx, db, key)
	if err != nil || bad != nil || n != 6 {
		t.Errorf("verify: %d entries, %v, %v; want 6, no break", n, bad, err)
	}
	var ids []int64
	db.ScanEvents(ctx, 0, func(e *admit.Event) error { ids = append(ids, e.ID); return nil })
	if len(ids) != 6 || ids[0] != 10 || ids[4] != 22 {
		t.Errorf("chain order by id = %v, want 10, 13, … 22, then the new one", ids)
	}
	if _, err := db.wdb.ExecContext(ctx, `UPDATE events SET hash = NULL WHERE id = 10`); err == nil {
		t.Error("a chained entry's hash could be cleared")
	}
}

// TestAuditFailedOpsDropTheirEntries mixes, in the same group commits,
// operations that append and then fail (with and without a savepoint) with
// appends that succeed: only the latter are in the chain, unbroken.
func TestAuditFailedOpsDropTheirEntries(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "admit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key := []byte("k")
	if err := db.SetAuditKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	const n = 60
	errs := make(chan error, n)
	for i := range n {
		go func() {
			e := &admit.Event{At: time.Now(), Actor: "cli", Action: "test", Outcome: "ok"}
			switch i % 3 {
			case 0:
				errs <- db.AppendEvents(ctx, e)
			case 1:
				err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
					if err := tx.appendEvent(ctx, e); err != nil {
						return err
					}
					return errors.New("fails after appending")
				})
				if err == nil {
					err = errors.New("a failing write succeeded")
				} else {
					err = nil
				}
				errs <- err
			case 2:
				err := db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
					if err := tx.appendEvent(ctx, e); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, `INSERT INTO no_such_table VALUES (1)`)
					return err
				})
				if err == nil {
					err = errors.New("a failing single write succeeded")
				} else {
					err = nil
				}
				errs <- err
			}
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	got, bad, err := admit.Verify(ctx, db, key)
	if err != nil || bad != nil || got != n/3 {
		t.Errorf("verify: %d entries, %v, %v; want %d, no break", got, bad, err, n/3)
	}
}

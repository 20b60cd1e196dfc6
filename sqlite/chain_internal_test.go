package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// TestAuditFailedOpsDropTheirEntries mixes, in the same group commits,
// operations that append and then fail (with and without a savepoint) with
// appends that succeed: only the latter are stored.
func TestAuditFailedOpsDropTheirEntries(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "admit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
	var got int
	if _, err := db.ScanEvents(ctx, 0, func(*admit.Event) error { got++; return nil }); err != nil || got != n/3 {
		t.Errorf("stored %d entries, %v; want %d", got, err, n/3)
	}
}

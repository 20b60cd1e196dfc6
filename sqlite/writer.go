package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/admit-project/admit/sqlstore"
)

// MaxBatch is the most operations the writer commits in one transaction.
const MaxBatch = 256

// errClosed is returned for writes after Close.
var errClosed = errors.New("sqlite: database closed")

// writeOp is one queued write.
type writeOp struct {
	ctx    context.Context
	fn     func(ctx context.Context, tx *wtx) error
	single bool // fn runs one statement: no savepoint needed
	done   chan error
	queued time.Time // when it was queued, for the observer
}

// writer is the group commit: one goroutine takes queued operations, runs
// all those waiting (up to MaxBatch) in one transaction, a savepoint each,
// commits once, and only then answers their callers. With synchronous=FULL
// the commit is durable, so an answered write survives a crash, while the
// cost of the fsync is shared by the whole group.
type writer struct {
	db      *sql.DB
	stmts   map[string]*sql.Stmt // prepared on db; used by the writer goroutine only
	audit   *auditState          // the audit chain's key and lookups
	ops     chan *writeOp
	stopped chan struct{}

	mu     sync.RWMutex // guards closed and sends on ops
	closed bool

	observer sqlstore.WriteObserver // told of each group commit
}

// newWriter starts the writer on db, which must have one connection.
func newWriter(db *sql.DB) *writer {
	w := &writer{db: db, stmts: map[string]*sql.Stmt{}, audit: newAuditState(), ops: make(chan *writeOp, 4*MaxBatch), stopped: make(chan struct{})}
	go w.loop()
	return w
}

// do queues fn and waits for its group to commit. fn runs on the writer's
// goroutine and must not call back into the store. An error from fn rolls
// back fn's savepoint only. The caller always waits for the answer, so that
// an error means that nothing of fn was written; a caller whose ctx is done
// before fn starts gets ctx's error.
func (w *writer) do(ctx context.Context, fn func(ctx context.Context, tx *wtx) error, single bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	op := &writeOp{ctx: ctx, fn: fn, single: single, done: make(chan error, 1), queued: time.Now()}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return errClosed
	}
	w.ops <- op
	w.mu.RUnlock()
	return <-op.done
}

// close refuses new writes, waits for the queued ones to commit and stops
// the writer.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.ops)
	}
	w.mu.Unlock()
	<-w.stopped
}

func (w *writer) loop() {
	defer close(w.stopped)
	batch := make([]*writeOp, 0, MaxBatch)
	for op := range w.ops {
		batch = append(batch[:0], op)
	fill:
		for len(batch) < MaxBatch {
			select {
			case op, ok := <-w.ops:
				if !ok {
					break fill
				}
				batch = append(batch, op)
			default:
				break fill
			}
		}
		w.commit(batch)
		clear(batch)
	}
}

// commit runs batch in one transaction and answers each operation.
func (w *writer) commit(batch []*writeOp) {
	ctx := context.Background()
	errs := make([]error, len(batch))
	began := time.Now()
	answer := func(err error) {
		if o := w.observer.Load(); o != nil {
			o.ObserveWriteGroup(len(batch), began.Sub(batch[0].queued), time.Since(began), err)
		}
		for i, op := range batch {
			op.done <- errs[i]
		}
	}
	fail := func(err error) { // the transaction is lost: every op fails
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
		answer(err)
	}

	stx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("sqlite: begin: %w", err))
		return
	}
	tx := &wtx{tx: stx, m: make(map[string]*sql.Stmt), store: w.stmts, audit: w.audit}
	defer w.prepare(tx)
	for i, op := range batch {
		if err := op.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		head := tx.head // an op that fails leaves the chain as it was
		if op.single {
			tx.single = true
			if errs[i] = run(ctx, tx, op.fn); errs[i] != nil {
				tx.restoreHead(head)
			}
			tx.single = false
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT op"); err != nil {
			stx.Rollback()
			fail(fmt.Errorf("sqlite: savepoint: %w", err))
			return
		}
		if err := run(ctx, tx, op.fn); err != nil {
			errs[i] = err
			tx.restoreHead(head)
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO op"); err != nil {
				stx.Rollback()
				fail(fmt.Errorf("sqlite: rollback to savepoint: %w", err))
				return
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE op"); err != nil {
			stx.Rollback()
			fail(fmt.Errorf("sqlite: release savepoint: %w", err))
			return
		}
	}
	if err := tx.flushEvents(ctx); err != nil {
		stx.Rollback()
		fail(fmt.Errorf("sqlite: audit trail: %w", err))
		return
	}
	if err := stx.Commit(); err != nil {
		fail(fmt.Errorf("sqlite: commit: %w", err))
		return
	}
	answer(nil)
}

// prepare prepares on the write pool the statements tx met for the first
// time, now that the transaction no longer holds the pool's connection.
func (w *writer) prepare(tx *wtx) {
	for _, q := range tx.fresh {
		if w.stmts[q] != nil {
			continue
		}
		if ps, err := w.db.PrepareContext(context.Background(), q); err == nil {
			w.stmts[q] = ps
		}
	}
}

// run calls fn, turning a panic into an error so that one bad operation
// cannot take the writer, and the other callers, down with it.
func run(ctx context.Context, tx *wtx, fn func(ctx context.Context, tx *wtx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sqlite: write panicked: %v", r)
		}
	}()
	return fn(ctx, tx)
}

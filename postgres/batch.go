package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlstore"
)

// MaxBatch is the most join-path writes one transaction commits. Each runs
// in a subtransaction of its own: PostgreSQL caches 64 subtransactions per
// backend before every other session's snapshots get slower, so a group
// stays well below.
const MaxBatch = 32

// committers is how many groups a store runs at once: while one waits for
// the audit head or its commit, the next runs its writes.
const committers = 2

// errClosed is returned for writes after Close.
var errClosed = errors.New("postgres: store closed")

// The join path's writes (Admit and RecordAttempt) commit in groups: every
// one appends to the audit chain, whose head row every node locks until its
// commit, so one transaction per join would make the whole service wait
// for one commit (one WAL flush) per join. A batcher instead takes the
// writes queued meanwhile (up to MaxBatch), runs each in a savepoint of one
// transaction (so that one failing write rolls back alone), appends all
// their audit entries under one lock of the head, commits once and only
// then answers the callers. An answered write is committed (synchronous
// commit), so it survives a crash; a caller answered with an error had
// nothing written. Within a group, writes run ordered by the row they lock
// first (the occurrence's access code, the meeting's budget), so that
// groups (several run at once on each node) take their row locks in one
// order, and every group locks the audit head last. A write that still
// loses a deadlock is rolled back to its savepoint and run again in a
// later group.

// joinOp is one queued write of the join path. run does the write in tx
// and returns the audit entries to append (At set); it may run more than
// once (a group that loses a deadlock is run again), so it must set its
// results afresh on each run.
type joinOp struct {
	ctx   context.Context
	key   int64 // the row it locks first, for the order within a group
	run   func(ctx context.Context, tx querier) ([]*admit.Event, error)
	tries int // runs lost to deadlocks in its savepoint
	err   error
	done  chan error
	// queued is when it was queued, for the observer.
	queued time.Time
}

type batcher struct {
	db      *DB
	ops     chan *joinOp
	stopped chan struct{}

	mu     sync.RWMutex // guards closed and sends on ops
	closed bool

	observer sqlstore.WriteObserver // told of each group commit
}

func newBatcher(db *DB) *batcher {
	b := &batcher{db: db, ops: make(chan *joinOp, 4*MaxBatch), stopped: make(chan struct{})}
	var wg sync.WaitGroup
	for range committers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.loop()
		}()
	}
	go func() {
		wg.Wait()
		close(b.stopped)
	}()
	return b
}

// do queues a write and waits for its group's commit. The caller always
// waits for the answer, so that an error means that nothing was written; a
// caller whose ctx is done before its write runs gets ctx's error.
func (b *batcher) do(ctx context.Context, key int64, run func(ctx context.Context, tx querier) ([]*admit.Event, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	op := &joinOp{ctx: ctx, key: key, run: run, done: make(chan error, 1), queued: time.Now()}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return errClosed
	}
	b.ops <- op
	b.mu.RUnlock()
	return <-op.done
}

// close refuses new writes, waits for the queued ones and stops.
func (b *batcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.ops)
	}
	b.mu.Unlock()
	<-b.stopped
}

func (b *batcher) loop() {
	var again []*joinOp // deadlock victims, run in the next group
	for {
		batch := again
		again = nil
		if len(batch) == 0 {
			op, ok := <-b.ops
			if !ok {
				return
			}
			batch = append(batch, op)
		}
	fill:
		for len(batch) < MaxBatch {
			select {
			case op, ok := <-b.ops:
				if !ok {
					break fill
				}
				batch = append(batch, op)
			default:
				break fill
			}
		}
		slices.SortStableFunc(batch, func(x, y *joinOp) int {
			switch {
			case x.key < y.key:
				return -1
			case x.key > y.key:
				return 1
			}
			return 0
		})
		again = b.commit(batch)
	}
}

// commit runs batch in one transaction, answers every write it settled and
// returns those to run again (victims of a deadlock in their savepoint).
func (b *batcher) commit(batch []*joinOp) (again []*joinOp) {
	began := time.Now()
	for attempt := 0; ; attempt++ {
		again = again[:0]
		err := b.run(batch, &again)
		if err != nil && attempt < maxRetries && retryable(err) {
			continue // the whole group lost a race: run it again
		}
		if o := b.observer.Load(); o != nil {
			oldest := began
			for _, op := range batch {
				if op.queued.Before(oldest) {
					oldest = op.queued
				}
			}
			o.ObserveWriteGroup(len(batch), began.Sub(oldest), time.Since(began), err)
		}
		for _, op := range batch {
			if slices.Contains(again, op) {
				continue
			}
			if op.err == nil {
				op.err = err
			}
			op.done <- op.err
		}
		return again
	}
}

// run runs batch's writes in one transaction and commits. Writes that fail
// on their own get op.err; a returned error fails every write still
// without one.
func (b *batcher) run(batch []*joinOp, again *[]*joinOp) (err error) {
	ctx := context.Background()
	tx, err := b.db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback(ctx)
		}
	}()
	single := len(batch) == 1 // no savepoint: the write's error is the transaction's
	var events []*admit.Event
	for i, op := range batch {
		op.err = nil
		if err := op.ctx.Err(); err != nil {
			op.err = err
			continue
		}
		if single {
			evs, err := runOp(ctx, tx, op)
			if err != nil {
				op.err = err
				return err
			}
			events = append(events, evs...)
			continue
		}
		sp := &savepointTx{tx: tx, name: fmt.Sprintf("op%d", i), pending: true}
		evs, err := runOp(ctx, sp, op)
		if sp.err != nil {
			return sp.err // the savepoint itself failed: the group is lost
		}
		if err != nil {
			if !sp.pending { // the savepoint was made: undo back to it
				if _, rerr := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT `+sp.name); rerr != nil {
					return rerr
				}
			}
			if op.tries++; retryable(err) && op.tries <= maxRetries {
				*again = append(*again, op)
			} else {
				op.err = err
			}
		} else {
			events = append(events, evs...)
		}
		// Not released: the next write's savepoint nests in this one.
	}
	if len(events) > 0 {
		if err := b.db.appendEvents(ctx, tx, events); err != nil {
			return fmt.Errorf("postgres: audit trail: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// runOp runs one write, turning a panic into an error so that one bad
// write cannot take the group down with it.
func runOp(ctx context.Context, tx querier, op *joinOp) (events []*admit.Event, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("postgres: write panicked: %v", r)
		}
	}()
	return op.run(ctx, tx)
}

// savepointTx is a write's view of its group's transaction: its first
// statement goes to the server in one pipeline with the write's SAVEPOINT,
// saving the savepoint its own round trip.
type savepointTx struct {
	tx      pgx.Tx
	name    string
	pending bool  // the savepoint is not made yet
	err     error // making the savepoint failed
}

// start returns a pipeline that makes the savepoint then runs sql, with the
// savepoint's result read.
func (s *savepointTx) start(ctx context.Context, sql string, args ...any) (pgx.BatchResults, error) {
	s.pending = false
	b := &pgx.Batch{}
	b.Queue(`SAVEPOINT ` + s.name)
	b.Queue(sql, args...)
	br := s.tx.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		s.err = err
		br.Close()
		return nil, err
	}
	return br, nil
}

// Exec implements querier.
func (s *savepointTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if !s.pending {
		return s.tx.Exec(ctx, sql, args...)
	}
	br, err := s.start(ctx, sql, args...)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// QueryRow implements querier.
func (s *savepointTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if !s.pending {
		return s.tx.QueryRow(ctx, sql, args...)
	}
	br, err := s.start(ctx, sql, args...)
	if err != nil {
		return errRow{err}
	}
	return batchRow{br: br, row: br.QueryRow()}
}

// Query implements querier. It makes a pending savepoint on its own first.
func (s *savepointTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if s.pending {
		s.pending = false
		if _, err := s.tx.Exec(ctx, `SAVEPOINT `+s.name); err != nil {
			s.err = err
			return nil, err
		}
	}
	return s.tx.Query(ctx, sql, args...)
}

// batchRow is the row of a pipeline's last statement; scanning it ends the
// pipeline.
type batchRow struct {
	br  pgx.BatchResults
	row pgx.Row
}

func (r batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

// errRow is a row that only fails.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

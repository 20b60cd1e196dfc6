package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/admit-project/admit"
)

// Channel names: the triggers of meeting_changes notify changesChannel
// with the meeting's pk; Feed publishes on feedChannel. Both end in the
// schema's name, so that stores in different schemas of one database do not
// hear each other.
const (
	changesChannelPrefix = "admit_changes_"
	feedChannelPrefix    = "admit_feed_"
)

// maxChannel is the longest channel name PostgreSQL accepts (NAMEDATALEN-1).
const maxChannel = 63

// heartbeat is how long the listener waits for a notification before it
// checks its connection with a query, which may take pingTimeout: a
// connection that died silently is found within about ten seconds.
var heartbeat = 5 * time.Second

const pingTimeout = 5 * time.Second

// listener keeps one connection LISTENing on the store's channels. It
// tells MeetingChanges whether anything may have changed since the last
// look at the log, and hands Feed's changes to its subscribers.
type listener struct {
	cfg           *pgx.ConnConfig
	changes, feed string
	heartbeat     time.Duration

	cancel context.CancelFunc
	done   chan struct{}

	mu sync.Mutex
	// notes counts the notifications (and this store's own changes and the
	// listener's reconnections): the log is read again when it moved.
	notes uint64
	// known is the log's latest seq as read when notes was knownNotes.
	known      int64
	knownNotes uint64
	knownValid bool
	healthy    bool // listening now: a change will be notified
	forgetAll  bool // reconnected: the next MeetingChanges says all
	connected  bool // has connected before
	pid        uint32
	subs       map[chan admit.Change]struct{}
}

func channelNames(schema string) (changes, feed string, err error) {
	changes, feed = changesChannelPrefix+schema, feedChannelPrefix+schema
	if len(changes) > maxChannel {
		return "", "", fmt.Errorf("postgres: schema name %q is too long for a notification channel (at most %d bytes)", schema, maxChannel-len(changesChannelPrefix))
	}
	return changes, feed, nil
}

func startListener(cfg *pgx.ConnConfig, changes, feed string) *listener {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 10 * time.Second}
	cfg.DialFunc = d.DialContext // find a dead connection in seconds, not minutes
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{cfg: cfg, changes: changes, feed: feed, heartbeat: heartbeat, cancel: cancel, done: make(chan struct{}),
		subs: make(map[chan admit.Change]struct{})}
	go l.loop(ctx)
	return l
}

func (l *listener) close() {
	l.cancel()
	<-l.done
	l.mu.Lock()
	for ch := range l.subs {
		delete(l.subs, ch)
		close(ch)
	}
	l.mu.Unlock()
}

// loop connects, listens and waits for notifications until ctx is done,
// reconnecting with a growing pause when the connection fails.
func (l *listener) loop(ctx context.Context) {
	defer close(l.done)
	pause := 50 * time.Millisecond
	for ctx.Err() == nil {
		if err := l.listen(ctx); err == nil || ctx.Err() != nil {
			return
		}
		l.mu.Lock()
		l.healthy, l.pid = false, 0
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 2*time.Second)
	}
}

// listen runs one connection until it fails or ctx is done.
func (l *listener) listen(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	q := "LISTEN " + pgx.Identifier{l.changes}.Sanitize() + "; LISTEN " + pgx.Identifier{l.feed}.Sanitize()
	if _, err := conn.Exec(ctx, q); err != nil {
		return err
	}
	l.mu.Lock()
	if l.connected {
		// Notifications may have been lost while disconnected.
		l.forgetAll = true
	}
	l.connected, l.healthy, l.pid = true, true, conn.PgConn().PID()
	l.notes++
	l.mu.Unlock()
	for {
		wctx, cancel := context.WithTimeout(ctx, l.heartbeat)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil && ctx.Err() == nil && pgconn.Timeout(err) {
			// Quiet for a while: make sure the connection still works,
			// so that a dead one is not trusted for long.
			pctx, cancel := context.WithTimeout(ctx, pingTimeout)
			_, err = conn.Exec(pctx, `SELECT 1`)
			cancel()
			if err == nil {
				continue
			}
		}
		if err != nil {
			return err
		}
		switch n.Channel {
		case l.changes:
			l.mu.Lock()
			l.notes++
			l.mu.Unlock()
		case l.feed:
			var c admit.Change
			if json.Unmarshal([]byte(n.Payload), &c) == nil {
				l.deliver(c)
			}
		}
	}
}

// localChange records a change this store committed, so that its own
// MeetingChanges sees it without waiting for the notification.
func (l *listener) localChange() {
	l.mu.Lock()
	l.notes++
	l.mu.Unlock()
}

func (l *listener) deliver(c admit.Change) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ch := range l.subs {
		select {
		case ch <- c:
		default: // a subscriber that falls behind loses changes
		}
	}
}

// MeetingChanges returns the meetings changed after seq, by any node, and
// the latest seq. While the listener is connected and no change was
// notified since the log was last read at seq, it answers from memory,
// without a query. all is set when the log no longer reaches back to seq,
// never reached it, holds too many changes after it to list, or the
// listener has just reconnected (changes may have gone unnotified): the
// caller must then forget everything.
func (db *DB) MeetingChanges(ctx context.Context, afterSeq int64) (latest int64, meetingPKs []int64, all bool, err error) {
	l := db.chg
	l.mu.Lock()
	forget := l.forgetAll && l.healthy
	if forget {
		l.forgetAll = false
	}
	if !forget && l.healthy && l.knownValid && l.knownNotes == l.notes && afterSeq == l.known {
		l.mu.Unlock()
		return afterSeq, nil, false, nil
	}
	notes := l.notes
	l.mu.Unlock()

	latest, meetingPKs, all, err = queryChanges(ctx, db.pool, afterSeq)
	l.mu.Lock()
	if err != nil {
		if forget {
			l.forgetAll = true
		}
		l.mu.Unlock()
		return 0, nil, false, err
	}
	if !l.knownValid || notes >= l.knownNotes {
		l.known, l.knownNotes, l.knownValid = latest, notes, true
	}
	l.mu.Unlock()
	if forget {
		return latest, nil, true, nil
	}
	return latest, meetingPKs, all, nil
}

// queryChanges reads the change log after seq.
func queryChanges(ctx context.Context, q querier, afterSeq int64) (latest int64, meetingPKs []int64, all bool, err error) {
	const max = 10000
	var oldest, last *int64
	if err := q.QueryRow(ctx, `SELECT MIN(seq), MAX(seq) FROM meeting_changes`).Scan(&oldest, &last); err != nil {
		return 0, nil, false, err
	}
	if last != nil {
		latest = *last
	}
	switch {
	case latest == afterSeq:
		return latest, nil, false, nil
	case latest < afterSeq:
		// The log never reached seq: the caller read another database, or
		// this one before it was restored from a backup.
		return latest, nil, true, nil
	}
	if (oldest != nil && afterSeq < *oldest-1) || latest-afterSeq > max {
		return latest, nil, true, nil
	}
	rows, err := q.Query(ctx, `SELECT DISTINCT meeting_pk FROM meeting_changes WHERE seq > $1 AND seq <= $2`, afterSeq, latest)
	if err != nil {
		return 0, nil, false, err
	}
	meetingPKs, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, nil, false, err
	}
	return latest, meetingPKs, false, nil
}

// Feed is an admit.ChangeFeed over PostgreSQL LISTEN/NOTIFY: every node on
// the same database and schema hears every change. It shares the store's
// listening connection. Delivery is at most once: a change published while
// a node's listener reconnects is lost to that node.
type Feed struct {
	db *DB
}

var _ admit.ChangeFeed = (*Feed)(nil)

// NewFeed returns the feed of the store's schema.
func NewFeed(db *DB) *Feed { return &Feed{db: db} }

// Publish sends c, as JSON, to every subscriber on every node.
func (f *Feed) Publish(ctx context.Context, c admit.Change) error {
	js, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = f.db.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, f.db.chg.feed, string(js))
	return err
}

// Subscribe returns a channel of changes until ctx is done; then the
// channel is closed (also when the store closes).
func (f *Feed) Subscribe(ctx context.Context) (<-chan admit.Change, error) {
	l := f.db.chg
	ch := make(chan admit.Change, 64)
	l.mu.Lock()
	select {
	case <-l.done:
		l.mu.Unlock()
		return nil, errors.New("postgres: store closed")
	default:
	}
	l.subs[ch] = struct{}{}
	l.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
		case <-l.done:
		}
		l.mu.Lock()
		if _, ok := l.subs[ch]; ok {
			delete(l.subs, ch)
			close(ch)
		}
		l.mu.Unlock()
	}()
	return ch, nil
}

package postgres

import "time"

// ListenerPID returns the backend process ID of the store's listening
// connection, 0 while it is not connected (tests terminate it).
func (db *DB) ListenerPID() uint32 {
	db.chg.mu.Lock()
	defer db.chg.mu.Unlock()
	if !db.chg.healthy {
		return 0
	}
	return db.chg.pid
}

// ChangesChannel returns the channel the change log's triggers notify.
func (db *DB) ChangesChannel() string { return db.chg.changes }

// SetHeartbeat sets the listener's heartbeat for stores opened after it,
// and returns a function that restores it.
func SetHeartbeat(d time.Duration) (restore func()) {
	old := heartbeat
	heartbeat = d
	return func() { heartbeat = old }
}

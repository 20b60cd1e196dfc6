package password

import (
	"runtime"
	"sync/atomic"

	"github.com/admit-project/admit"
)

// ErrBusy is returned by Hash and Verify when the process already runs and
// queues as many password hashes as its Slots allow: the caller should
// answer "try again shortly" (429) rather than wait.
var ErrBusy error = &admit.Error{Code: admit.ERATELIMITED, Message: "Too many passwords are being checked at once; try again in a moment.",
	Detail: map[string]any{"retry_after": 1}}

// Slots bounds the argon2id computations that run at once in the process,
// and those that may wait for a turn. Each takes DefaultParams.Memory (64
// MiB) while it runs, so the bound on running hashes is a bound on the
// memory password hashing can take: Running × 64 MiB, whatever the number
// of requests. A request beyond Running + Waiting gets ErrBusy at once.
type Slots struct {
	run  chan struct{}
	wait chan struct{}

	total   atomic.Int64
	running atomic.Int64
	peak    atomic.Int64
	busy    atomic.Int64
}

// NewSlots returns Slots for running hashes at once (at least 1) and
// waiting more in line (at least 0).
func NewSlots(running, waiting int) *Slots {
	running = max(running, 1)
	waiting = max(waiting, 0)
	return &Slots{run: make(chan struct{}, running), wait: make(chan struct{}, running+waiting)}
}

// Process are the Slots every Hasher without its own uses: as many
// running hashes as the process has CPUs to run them (GOMAXPROCS), and
// eight times as many waiting.
var Process = NewSlots(runtime.GOMAXPROCS(0), 8*runtime.GOMAXPROCS(0))

// acquire takes a turn to hash, waiting for one when all are taken and
// the line is not full; else ErrBusy. Every acquire that returns nil is
// followed by one release.
func (s *Slots) acquire() error {
	select {
	case s.wait <- struct{}{}:
	default:
		s.busy.Add(1)
		return ErrBusy
	}
	s.run <- struct{}{}
	n := s.running.Add(1)
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			break
		}
	}
	s.total.Add(1)
	return nil
}

// release gives a turn back.
func (s *Slots) release() {
	s.running.Add(-1)
	<-s.run
	<-s.wait
}

// SlotStats are counts of a Slots' use since it was made.
type SlotStats struct {
	Total   int64 `json:"total"`   // hashes made (or checked)
	Peak    int64 `json:"peak"`    // the most that ran at once
	Running int64 `json:"running"` // those running now
	Busy    int64 `json:"busy"`    // requests turned away with ErrBusy
}

// Stats returns the counts of s.
func (s *Slots) Stats() SlotStats {
	return SlotStats{Total: s.total.Load(), Peak: s.peak.Load(), Running: s.running.Load(), Busy: s.busy.Load()}
}

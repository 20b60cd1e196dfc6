package sqlstore

import (
	"sync/atomic"

	"github.com/admit-project/admit"
)

// WriteObserver is where a store's writer finds the admit.WriteObserver it
// tells of each group commit: set from any goroutine, read by the
// committing ones without a lock.
type WriteObserver struct{ p atomic.Pointer[observerBox] }

// observerBox holds a WriteObserver for an atomic pointer.
type observerBox struct{ o admit.WriteObserver }

// Set makes o the observer (nil: none).
func (w *WriteObserver) Set(o admit.WriteObserver) {
	if o == nil {
		w.p.Store(nil)
		return
	}
	w.p.Store(&observerBox{o})
}

// Load returns the observer, nil when there is none.
func (w *WriteObserver) Load() admit.WriteObserver {
	if b := w.p.Load(); b != nil {
		return b.o
	}
	return nil
}

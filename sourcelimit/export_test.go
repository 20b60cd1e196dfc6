package sourcelimit

// SetWaiting sets the hook called when an attempt waits on the first
// attempt at its identifier.
func SetWaiting(l *Limiter, f func()) { l.waiting = f }

package admit

import (
	"time"
)

// Clock tells the time. The service reads time only through a Clock so that
// tests, and `admit serve --test-clock`, control it.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

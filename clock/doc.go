// Package clock holds settable clocks: TestClock, moved by the test-clock
// mode of `admit serve` and by tests, and FixedClock, which stands still
// until set. The system clock is admit.SystemClock.
//
// It may import the root package admit and the standard library only.
package clock

package admit

import (
	"context"
	"math"
	"net/netip"
	"strings"
	"time"
)

// SourcePolicy bounds the failed join attempts one source may make across
// all meetings.
type SourcePolicy struct {
	// MaxFailures is the most failures a source may have in Window (default 20).
	MaxFailures int `json:"max_failures"`
	// Window is the sliding window failures count in (default one hour).
	Window time.Duration `json:"-"`
	// FreeFailures are the failures allowed before delays begin (default 3);
	// after them a source waits BaseDelay, doubling with each failure up to
	// MaxDelay, before its next attempt.
	FreeFailures int           `json:"-"`
	BaseDelay    time.Duration `json:"-"`
	MaxDelay     time.Duration `json:"-"`
}

// DefaultSourcePolicy returns the default per-source limits: 20 failures an
// hour, delays from the fourth failure on (1 s, 2 s, 4 s … up to 5 minutes).
func DefaultSourcePolicy() SourcePolicy {
	return SourcePolicy{MaxFailures: 20, Window: time.Hour, FreeFailures: 3, BaseDelay: time.Second, MaxDelay: 5 * time.Minute}
}

// Delay returns how long a source with n failures in the window must wait
// after its last failure.
func (p SourcePolicy) Delay(n int) time.Duration {
	if n <= p.FreeFailures {
		return 0
	}
	shift := n - p.FreeFailures - 1
	if shift > 30 {
		return p.MaxDelay
	}
	d := p.BaseDelay << shift
	if d > p.MaxDelay || d <= 0 {
		return p.MaxDelay
	}
	return d
}

// Wait returns how long a source must wait before its next attempt may be
// evaluated at now, or 0 when it may try now. failures are the source's
// failures, oldest first (those no longer in the window are ignored);
// inflight counts its attempts being evaluated, which count as failures
// until they are done. Every SourceLimiter decides by Wait (the redis
// package's Lua script mirrors it), so that all backends agree.
func (p SourcePolicy) Wait(failures []time.Time, inflight int, now time.Time) time.Duration {
	for len(failures) > 0 && !now.Before(failures[0].Add(p.Window)) {
		failures = failures[1:]
	}
	n := len(failures)
	if n+inflight >= p.MaxFailures {
		if n > 0 && n >= p.MaxFailures {
			return failures[n-p.MaxFailures].Add(p.Window).Sub(now)
		}
		return time.Second
	}
	if n > 0 {
		if next := failures[n-1].Add(p.Delay(n)); now.Before(next) {
			return next.Sub(now)
		}
	}
	// Attempts in flight count as failures until they are done: once the
	// delays would apply, one attempt at a time, so a burst cannot overtake
	// them.
	if inflight > 0 && p.Delay(n+inflight) > 0 {
		return p.Delay(n + inflight)
	}
	return 0
}

// SourceKey normalises where an attempt comes from into the key limits are
// kept under: an IPv4 address, the /64 prefix of an IPv6 address, or
// "tel:" and the caller ID on the phone.
func SourceKey(channel Channel, source string) string {
	if channel == ChannelPhone && !looksLikeIP(source) {
		return "tel:" + strings.TrimSpace(source)
	}
	a, err := netip.ParseAddr(source)
	if err != nil {
		return "raw:" + source
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

func looksLikeIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// Reservation is a permission to evaluate one attempt; Done reports whether
// the attempt failed. Every reservation must be done exactly once.
type Reservation interface {
	Done(failed bool)
}

// SourceLimiter enforces a SourcePolicy. Reserve returns ERATELIMITED, with
// Detail["retry_after"] (whole seconds), when the source may not try now.
// Concurrent attempts from one source hold reservations, so that a burst
// cannot get more attempts evaluated than the limit allows.
type SourceLimiter interface {
	Reserve(ctx context.Context, key string, now time.Time) (Reservation, error)
}

// RateLimited returns the ERATELIMITED error for a wait of d.
func RateLimited(d time.Duration) *Error {
	secs := int(math.Ceil(d.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return &Error{Code: ERATELIMITED, Message: "Too many attempts. Try again later.", Detail: map[string]any{"retry_after": secs}}
}

package admit_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/admit-project/admit"
)

type sqlStateError string

func (e sqlStateError) Error() string    { return "sqlstate " + string(e) }
func (e sqlStateError) SQLState() string { return string(e) }

var unavailableTests = []struct {
	err  error
	want bool
}{
	{nil, false},
	{errors.New("boom"), false},
	{admit.Errorf(admit.EREFUSED, "no"), false},
	{admit.Errorf(admit.EUNAVAILABLE, "down"), true},
	{fmt.Errorf("dial: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), true},
	{fmt.Errorf("read: %w", syscall.ECONNRESET), true},
	{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
	{fmt.Errorf("query: %w", context.DeadlineExceeded), true},
	{sqlStateError("57P01"), true},  // admin_shutdown
	{sqlStateError("08006"), true},  // connection_failure
	{sqlStateError("23505"), false}, // unique_violation: a real answer
	{fmt.Errorf("wrapped: %w", sqlStateError("57P03")), true},
}

func TestUnavailable(t *testing.T) {
	for _, tt := range unavailableTests {
		if got := admit.Unavailable(tt.err); got != tt.want {
			t.Errorf("Unavailable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

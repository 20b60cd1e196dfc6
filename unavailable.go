package admit

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// EUNAVAILABLE is the code of a fault that passes: a store or shared
// service the answer depends on cannot be reached now (a refused or reset
// connection, a timeout, a database shutting down or starting). Edges
// answer it 503 with Retry-After, never with a guess at the answer.
const EUNAVAILABLE = "unavailable"

// UnavailableMessage is the user-facing message of EUNAVAILABLE.
const UnavailableMessage = "The service is briefly unavailable; try again in a moment."

// Unavailable reports whether err says that a store or shared service
// could not be reached: an EUNAVAILABLE *Error, a network error, a refused
// or reset connection, an unexpected end of a connection, a deadline
// passed, or a database error whose SQLSTATE is of class 08 (connection
// exception), 57P01–57P03 (shutting down, crashed, starting) or 53300 (too
// many connections). Drivers are recognised by the interfaces their errors
// implement (SQLState() string, SafeToRetry() bool), so that the domain
// imports none of them.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if ErrorCode(err) == EUNAVAILABLE {
		return true
	}
	var ne net.Error
	var sq interface{ SQLState() string }
	var rt interface{ SafeToRetry() bool }
	switch {
	case errors.As(err, &ne),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &sq):
		s := sq.SQLState()
		return strings.HasPrefix(s, "08") || s == "57P01" || s == "57P02" || s == "57P03" || s == "53300"
	case errors.As(err, &rt):
		return rt.SafeToRetry()
	}
	return false
}

package admit

import (
	"errors"
	"fmt"
)

// Error codes. Each maps, in one place per interface, to an HTTP status and a
// CLI exit code.
const (
	ECONFLICT     = "conflict"            // the value is taken or clashes with another
	EINTERNAL     = "internal"            // a fault on our side; details are logged only
	EINVALID      = "invalid"             // the input breaks a rule; Field names it
	ENOTFOUND     = "not_found"           // no such thing (in the caller's account)
	EUNAUTHORIZED = "unauthorized"        // no valid API token or session
	EFORBIDDEN    = "forbidden"           // authenticated, but not allowed
	ETOOLARGE     = "too_large"           // the request body is too large
	ERATELIMITED  = "rate_limited"        // too many attempts
	EREFUSED      = "invalid_credentials" // a join refused for invalid credentials
	ENOTOPEN      = "not_open"            // valid credentials, window not yet open
	EENDED        = "ended"               // valid credentials, meeting has ended
)

// Error is the one error type of admit. Message is meant for the user and
// names the field or rule at fault; internal details never go into it.
type Error struct {
	Code    string
	Field   string // the input field at fault, when there is one
	Message string
	// Detail carries extra data for the caller (for example "opens_at").
	Detail map[string]any
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("admit: %s (%s): %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("admit: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID *Error naming field.
func FieldErrorf(field string, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err when it is (or wraps) an *Error, and
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. Errors that are not
// *Error values are internal and get a generic message.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the field named by err, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

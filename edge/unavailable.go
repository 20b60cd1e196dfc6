package edge

import (
	"net/http"
	"strconv"

	"github.com/admit-project/admit"
)

// UnavailableRetryAfter is the Retry-After, in seconds, of a 503 answered
// while a store or shared service cannot be reached.
const UnavailableRetryAfter = 1

// ErrorCodeOf returns err's code, with an internal error that says a store
// or shared service could not be reached (admit.Unavailable) turned into
// EUNAVAILABLE: a fault that passes, answered 503, not 500.
func ErrorCodeOf(err error) string {
	code := admit.ErrorCode(err)
	if code == admit.EINTERNAL && admit.Unavailable(err) {
		return admit.EUNAVAILABLE
	}
	return code
}

// SetUnavailable sets the Retry-After header of a 503 answer.
func SetUnavailable(h http.Header) {
	h["Retry-After"] = []string{strconv.Itoa(UnavailableRetryAfter)}
}

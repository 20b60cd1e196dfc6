package edge

import (
	"errors"
	"net/http"

	"github.com/admit-project/admit"
)

// EMETHOD is the code of a request whose path exists but not for its method.
// It is the HTTP edge's own code; every other code comes from admit.
const EMETHOD = "method_not_allowed"

// ErrorStatus returns the HTTP status of an error code. It is the one place
// where codes become statuses, for the API and the pages alike.
func ErrorStatus(code string) int {
	switch code {
	case admit.EINVALID:
		return http.StatusBadRequest
	case admit.EUNAUTHORIZED, admit.ESIGNIN:
		return http.StatusUnauthorized
	case admit.EFORBIDDEN, admit.EREFUSED, admit.ENOTOPEN, admit.EENDED:
		return http.StatusForbidden
	case admit.ENOTFOUND:
		return http.StatusNotFound
	case EMETHOD:
		return http.StatusMethodNotAllowed
	case admit.ECONFLICT, admit.EUNSUPPORTED:
		return http.StatusConflict
	case admit.EMEDIA:
		return http.StatusBadGateway
	case admit.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case admit.ERATELIMITED:
		return http.StatusTooManyRequests
	case admit.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// RetryAfter returns the whole seconds an ERATELIMITED error says to wait
// (Detail["retry_after"]), or def when it says nothing usable. The API
// passes 1, the pages 60.
func RetryAfter(err error, def int) int {
	var e *admit.Error
	if errors.As(err, &e) {
		if n, ok := e.Detail["retry_after"].(int); ok && n > 0 {
			return n
		}
	}
	return def
}

// ParticipantID returns the {pid} path value of r when it has the form of a
// participant ID (see admit.ValidParticipantID).
func ParticipantID(r *http.Request) (string, bool) {
	pid := r.PathValue("pid")
	return pid, admit.ValidParticipantID(pid)
}

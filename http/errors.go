package http

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/admit-project/admit"
)

// EMETHOD is the code of a request whose path exists but not for its method.
// It is the HTTP layer's own code; every other code comes from admit.
const EMETHOD = "method_not_allowed"

// ErrorStatus returns the HTTP status of an error code. It is the one place
// where codes become statuses.
func ErrorStatus(code string) int {
	switch code {
	case admit.EINVALID:
		return http.StatusBadRequest
	case admit.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case admit.EFORBIDDEN, admit.EREFUSED, admit.ENOTOPEN, admit.EENDED:
		return http.StatusForbidden
	case admit.ENOTFOUND:
		return http.StatusNotFound
	case EMETHOD:
		return http.StatusMethodNotAllowed
	case admit.ECONFLICT:
		return http.StatusConflict
	case admit.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case admit.ERATELIMITED:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// refusalBody is the one body of every refused join, whatever the cause: it
// is built once, so no detail of the request can leak into it.
var refusalBody = mustMarshalLine(map[string]string{"error": admit.EREFUSED, "message": admit.RefusalMessage})

// Error writes err as a JSON error with the status of its code:
// {"error": code, "message": msg, "field": field} with the entries of the
// error's Detail beside them. Errors that are not *admit.Error values are
// internal: they are logged (with the route, never the request's content)
// and shown as "Internal error.".
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := admit.ErrorCode(err), admit.ErrorMessage(err)
	status := ErrorStatus(code)
	if code == admit.EREFUSED {
		writeBytes(w, status, jsonContentType, refusalBody)
		return
	}
	if code == admit.EUNAUTHORIZED {
		w.Header()["Www-Authenticate"] = bearerChallenge
	}
	if code == admit.ERATELIMITED {
		w.Header()["Retry-After"] = []string{strconv.Itoa(retryAfter(err))}
	}
	if status == http.StatusInternalServerError {
		s.logger().Error("http: internal error", "method", r.Method, "route", r.Pattern, "err", err)
		code, msg = admit.EINTERNAL, "Internal error."
	}
	body := map[string]any{}
	var e *admit.Error
	if errors.As(err, &e) && status != http.StatusInternalServerError {
		for k, v := range e.Detail {
			body[k] = v
		}
		if e.Field != "" {
			body["field"] = e.Field
		}
	}
	body["error"], body["message"] = code, msg
	b, merr := json.Marshal(body)
	if merr != nil {
		s.logger().Error("http: encode error detail", "route", r.Pattern, "err", merr)
		b, _ = json.Marshal(map[string]string{"error": code, "message": msg})
	}
	writeBytes(w, status, jsonContentType, append(b, '\n'))
}

// retryAfter returns the whole seconds an ERATELIMITED error says to wait
// (Detail["retry_after"]), at least 1.
func retryAfter(err error) int {
	var e *admit.Error
	if errors.As(err, &e) {
		if n, ok := e.Detail["retry_after"].(int); ok && n > 0 {
			return n
		}
	}
	return 1
}

// writeJSON writes v as a JSON response with status.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeBytes(w, status, jsonContentType, append(b, '\n'))
}

// writeBytes writes a complete response body with its length.
func writeBytes(w http.ResponseWriter, status int, contentType []string, b []byte) {
	h := w.Header()
	h["Content-Type"] = contentType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeNoContent answers 204.
func writeNoContent(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNoContent)
}

func mustMarshalLine(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return slices.Concat(b, []byte("\n"))
}

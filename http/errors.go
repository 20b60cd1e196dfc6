package http

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// refusalBody is the one body of every refused join, whatever the cause: it
// is built once, so no detail of the request can leak into it.
var refusalBody = mustMarshalLine(map[string]string{"error": admit.EREFUSED, "message": admit.RefusalMessage})

// Error writes err as a JSON error with the status of its code:
// {"error": code, "message": msg, "field": field} with the entries of the
// error's Detail beside them. Errors that are not *admit.Error values are
// internal: they are logged (with the route, never the request's content)
// and shown as "Internal error.".
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := edge.ErrorCodeOf(err), admit.ErrorMessage(err)
	status := edge.ErrorStatus(code)
	if code == admit.EUNAVAILABLE {
		// Logged as a warning: the store or a shared service is out of
		// reach; the caller is told to come back, never given a guess.
		s.logger().WarnContext(r.Context(), "http: unavailable", "method", r.Method, "route", r.Pattern, "err", err)
		edge.SetUnavailable(w.Header())
		msg = admit.UnavailableMessage
		b, _ := json.Marshal(map[string]string{"error": code, "message": msg})
		writeBytes(w, status, jsonContentType, append(b, '\n'))
		return
	}
	if code == admit.EREFUSED {
		writeBytes(w, status, jsonContentType, refusalBody)
		return
	}
	if code == admit.EUNAUTHORIZED {
		w.Header()["Www-Authenticate"] = bearerChallenge
	}
	if code == admit.ERATELIMITED {
		w.Header()["Retry-After"] = []string{strconv.Itoa(edge.RetryAfter(err, 1))}
	}
	if status == http.StatusInternalServerError {
		s.logger().ErrorContext(r.Context(), "http: internal error", "method", r.Method, "route", r.Pattern, "err", err)
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

package edge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
)

// RequestIDHeader is the header every answer carries its request's ID in,
// the ID the request's log records carry as request_id.
const RequestIDHeader = "X-Request-ID"

type requestIDKey struct{}

// RequestIDFrom returns the request ID that RequestIDs put in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// RequestIDs gives every request a new ID of 16 random bytes (hex) from
// random (crypto/rand when nil), puts it in the request's context and in
// the answer's X-Request-ID header. An ID sent by the client is not taken:
// the logs' IDs are the server's own, so a client cannot make two requests
// look like one.
func RequestIDs(next http.Handler, random io.Reader) http.Handler {
	if random == nil {
		random = rand.Reader
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [16]byte
		if _, err := io.ReadFull(random, b[:]); err != nil {
			http.Error(w, "Internal error.", http.StatusInternalServerError)
			return
		}
		id := hex.EncodeToString(b[:])
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// LogHandler wraps h so that every record logged with a request's context
// (logger.ErrorContext(r.Context(), …)) carries its request_id.
func LogHandler(h slog.Handler) slog.Handler { return requestIDHandler{h} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestIDFrom(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

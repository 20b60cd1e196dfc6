package edge

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// JoinChannel returns the channel of a join request by its method and path
// ("" for any other request): POST /api/v1/join is the API's; POST
// /j/{meeting_id}, /code and /i/{token} are the web pages'.
func JoinChannel(r *http.Request) string {
	if r.Method != http.MethodPost {
		return ""
	}
	p := r.URL.Path
	switch {
	case p == "/api/v1/join":
		return string(admit.ChannelAPI)
	case p == "/code", strings.HasPrefix(p, "/j/"), strings.HasPrefix(p, "/i/"):
		return string(admit.ChannelWeb)
	}
	return ""
}

// JoinDeadline gives every join request (JoinChannel) a context that ends
// after d, so that a node cut off from its store answers 503 (the store's
// call fails with the deadline, admit.Unavailable) within d instead of
// waiting for the network's own timeouts; d ≤ 0 sets none.
func JoinDeadline(next http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if JoinChannel(r) == "" {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

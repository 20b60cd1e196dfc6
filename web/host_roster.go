package web

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/admit-project/admit"
)

// Live roster timing: a comment keeps proxies from closing a quiet stream,
// and the roster is re-read now and then anyway (a window opens or closes
// without any change being published).
const (
	streamPing    = 20 * time.Second
	streamRefresh = 30 * time.Second
	// attemptsPoll is how often the stream looks for new failed attempts.
	// They are read here rather than announced by the join path, which
	// must spend the same time on every refusal (no timing oracle).
	attemptsPoll = 3 * time.Second
)

// stopped returns the channel closed by Close.
func (a *App) stopped() chan struct{} {
	a.streamsOnce.Do(func() { a.streams = make(chan struct{}) })
	return a.streams
}

// Close ends the open event streams, so that a graceful shutdown does not
// wait for browsers to hang up. cmd/admit calls it on shutdown.
func (a *App) Close() {
	ch := a.stopped()
	a.closeOnce.Do(func() { close(ch) })
}

// handleRosterFragment returns the roster section's content for the
// script's first load and for browsers without event streams.
func (a *App) handleRosterFragment(w http.ResponseWriter, r *http.Request, h *hostReq) {
	p, err := a.loadRoster(r, h, occurrenceParam(r))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	b, err := a.rosterFragment(p)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b)
}

// handleEvents streams the occurrence's roster as server-sent events: an
// event "roster" whose data is the roster section's HTML, sent at once and
// again after each change the service publishes for the meeting.
func (a *App) handleEvents(w http.ResponseWriter, r *http.Request, h *hostReq) {
	ctx := r.Context()
	n := occurrenceParam(r)
	changes, err := a.Service.WatchMeeting(ctx, h.actor, r.PathValue("id"))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	_, bySession := a.streamBounds()
	release, ok := bySession.Acquire(strconv.FormatInt(h.ws.Session.ID, 10))
	if !ok {
		http.Error(w, "Too many live views are open in this session; close one.", http.StatusTooManyRequests)
		return
	}
	defer release()
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // the stream outlives the server's write timeout
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	var last []byte
	send := func() bool {
		// A session that ended (signed out, expired, user removed) ends
		// the stream too.
		if _, err := a.session(r); err != nil {
			return false
		}
		p, err := a.loadRoster(r, h, n)
		if err != nil {
			a.logger().Warn("web: roster stream", "err", err)
			return false
		}
		b, err := a.rosterFragment(p)
		if err != nil {
			a.logger().Error("web: roster fragment", "err", err)
			return false
		}
		if bytes.Equal(b, last) {
			return true // nothing new to show
		}
		last = b
		var buf bytes.Buffer
		buf.WriteString("event: roster\n")
		for _, line := range bytes.Split(b, []byte("\n")) {
			buf.WriteString("data: ")
			buf.Write(line)
			buf.WriteByte('\n')
		}
		buf.WriteByte('\n')
		if _, err := w.Write(buf.Bytes()); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send() {
		return
	}
	ping := time.NewTicker(streamPing)
	defer ping.Stop()
	refresh := time.NewTicker(streamRefresh)
	defer refresh.Stop()
	poll := time.NewTicker(attemptsPoll)
	defer poll.Stop()
	stop := a.stopped()
	for {
		select {
		case <-ctx.Done():
			return
		case <-stop:
			return
		case _, ok := <-changes:
			if !ok || !send() {
				return
			}
		case <-refresh.C:
			if !send() {
				return
			}
		case <-poll.C:
			if !send() {
				return
			}
		case <-ping.C:
			if _, err := w.Write([]byte(": ping\n\n")); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

// loadRoster gathers what the roster fragment shows, and nothing else: no
// secrets are opened, so re-rendering it is not a code.view.
func (a *App) loadRoster(r *http.Request, h *hostReq, n int) (*meetingPage, error) {
	id := r.PathValue("id")
	ro, err := a.Service.Roster(r.Context(), h.actor, id, n)
	if err != nil {
		return nil, err
	}
	p := &meetingPage{M: &admit.MeetingView{ID: id}, Occ: &admit.OccurrenceView{Index: ro.Occurrence, State: ro.State},
		TZ: userZone(h.ws.User), CSRF: h.ws.CSRFToken()}
	if ro.State == admit.WindowOpen.String() {
		p.Roster = ro
	}
	if p.Attempts, err = a.Service.FailedAttempts(r.Context(), h.actor, id, 20); err != nil {
		return nil, err
	}
	return p, nil
}

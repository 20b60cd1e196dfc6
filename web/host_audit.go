package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// auditPageSize is how many events the audit page reads per page.
const auditPageSize = 200

// auditPage is the audit page's data.
type auditPage struct {
	Events     []*admit.Event
	Action     string // filters
	Actor      string
	Target     string
	Outcome    string
	Before     int64 // the page lists events below this seq (0: from the newest)
	NextBefore int64 // the oldest event listed, for the next page
	More       bool
	Names      map[string]string // actor and target references to names
	Checked    bool              // the chain was verified
	Entries    int64
	Break      *admit.ChainBreak
	VerifyEr   string
	TZ         string
	Actions    []string
}

var auditActions = []string{"user.", "meeting.", "code.", "join.", "participant.", "budget.", "security.", "setup.", "token."}

// handleAudit lists the account's audit trail, newest first, with filters
// (action prefix, actor, target, outcome), a page at a time (before: the
// seq the next page starts below), actors and targets named (a user's
// name, a meeting's topic), and the whole chain's verification under the
// audit key.
func (a *App) handleAudit(w http.ResponseWriter, r *http.Request, h *hostReq) {
	q := r.URL.Query()
	p := &auditPage{Action: strings.TrimSpace(q.Get("action")), Actor: strings.TrimSpace(q.Get("actor")),
		Target: strings.TrimSpace(q.Get("target")), Outcome: strings.TrimSpace(q.Get("outcome")), TZ: h.ws.User.Timezone, Actions: auditActions}
	p.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	// The trail is read oldest first; the page shows the newest matches.
	var matched []*admit.Event
	for after := int64(0); ; {
		evs, err := a.Service.Events(r.Context(), h.actor, after, 1000)
		if err != nil {
			a.errorPage(w, r, err)
			return
		}
		for _, e := range evs {
			after = e.Seq
			if (p.Before == 0 || e.Seq < p.Before) && p.match(e) {
				matched = append(matched, e)
			}
		}
		if len(evs) < 1000 {
			break
		}
	}
	for i := len(matched) - 1; i >= 0 && len(p.Events) < auditPageSize; i-- {
		p.Events = append(p.Events, matched[i])
	}
	if len(matched) > len(p.Events) {
		p.More, p.NextBefore = true, p.Events[len(p.Events)-1].Seq
	}
	p.Names = a.auditNames(r, h)
	if len(a.AuditKey) > 0 {
		n, bad, err := a.Service.VerifyAudit(r.Context(), a.AuditKey)
		p.Checked, p.Entries, p.Break = err == nil, n, bad
		if err != nil {
			a.logger().Error("web: audit verify", "err", err)
			p.VerifyEr = "The chain could not be read."
		}
	}
	a.render(w, r, http.StatusOK, "host_audit", h.page("Audit log", p))
}

// auditNames maps the audit trail's actor and target references
// ("user:3", "meeting:m…") to what a reader knows them by: a user's name
// and email, a meeting's topic. References it cannot name stay as they are.
func (a *App) auditNames(r *http.Request, h *hostReq) map[string]string {
	names := map[string]string{}
	if users, err := a.Service.Users(r.Context(), h.actor); err == nil {
		for _, u := range users {
			names["user:"+strconv.FormatInt(u.ID, 10)] = u.Name + " <" + u.Email + ">"
		}
	}
	if ms, err := a.Service.ListMeetings(r.Context(), h.actor, time.Time{}, time.Time{}); err == nil {
		for _, m := range ms {
			names["meeting:"+m.ID] = "“" + m.Topic + "” (" + m.MeetingIDDisplay + ")"
		}
	}
	return names
}

// Name returns what the reference ref is known by, or ref.
func (p *auditPage) Name(ref string) string {
	if n, ok := p.Names[ref]; ok {
		return n
	}
	return ref
}

func (p *auditPage) match(e *admit.Event) bool {
	return (p.Action == "" || strings.HasPrefix(e.Action, p.Action)) &&
		(p.Actor == "" || e.Actor == p.Actor) &&
		(p.Target == "" || e.Target == p.Target || strings.HasPrefix(e.Target, p.Target)) &&
		(p.Outcome == "" || e.Outcome == p.Outcome)
}

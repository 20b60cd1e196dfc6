package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/admit-project/admit"
)

// auditPageSize is how many events the audit page reads per page.
const auditPageSize = 200

// auditPage is the audit page's data.
type auditPage struct {
	Events   []*admit.Event
	Action   string // filters
	Actor    string
	Target   string
	Outcome  string
	After    int64
	NextSeq  int64 // the last event read, for the next page
	More     bool
	Checked  bool // the chain was verified
	Entries  int64
	Break    *admit.ChainBreak
	VerifyEr string
	TZ       string
	Actions  []string
}

var auditActions = []string{"user.", "meeting.", "code.", "join.", "participant.", "budget.", "security.", "setup.", "token."}

// handleAudit lists the account's audit trail with filters (action prefix,
// actor, target, outcome), a page at a time, and the whole chain's
// verification under the audit key.
func (a *App) handleAudit(w http.ResponseWriter, r *http.Request, h *hostReq) {
	q := r.URL.Query()
	p := &auditPage{Action: strings.TrimSpace(q.Get("action")), Actor: strings.TrimSpace(q.Get("actor")),
		Target: strings.TrimSpace(q.Get("target")), Outcome: strings.TrimSpace(q.Get("outcome")), TZ: h.ws.User.Timezone, Actions: auditActions}
	p.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	after := p.After
	// Read pages until one filtered page is full or the trail ends.
	for len(p.Events) < auditPageSize {
		evs, err := a.Service.Events(r.Context(), h.actor, after, 1000)
		if err != nil {
			a.errorPage(w, r, err)
			return
		}
		for _, e := range evs {
			after = e.Seq
			if p.match(e) {
				p.Events = append(p.Events, e)
				if len(p.Events) == auditPageSize {
					p.More = true
					break
				}
			}
		}
		if len(evs) < 1000 {
			break
		}
	}
	p.NextSeq = after
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

func (p *auditPage) match(e *admit.Event) bool {
	return (p.Action == "" || strings.HasPrefix(e.Action, p.Action)) &&
		(p.Actor == "" || e.Actor == p.Actor) &&
		(p.Target == "" || e.Target == p.Target || strings.HasPrefix(e.Target, p.Target)) &&
		(p.Outcome == "" || e.Outcome == p.Outcome)
}

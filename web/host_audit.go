package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// auditPageSize is how many events the audit page shows at a time.
const auditPageSize = 200

// auditPage is the audit page's data.
type auditPage struct {
	Events  []*admit.Event
	Action  string // filters
	Actor   string
	Target  string
	Since   string // dates, YYYY-MM-DD, in the user's time zone
	Until   string
	Before  int64 // the page shows events with a smaller id (0: the newest)
	NextID  int64 // the last event shown, for the next (older) page
	More    bool
	TZ      string
	Names   map[string]string // actor and target references to names
	Actions []string

	Checkpoint *admit.AuditCheckpoint // the latest signed checkpoint
	CPNote     string                 // why there is none to show
}

var auditActions = []string{"user.", "meeting.", "code.", "join.", "participant.", "budget.", "security.", "account.", "setup.", "token."}

// handleAudit lists the account's audit trail, newest first, filtered by the
// store (action prefix, actor, target or meeting, dates), a page at a time,
// with the audit log's latest signed checkpoint and when a witness first
// held it. It verifies nothing per view: `admit audit verify` checks every
// entry against a witnessed checkpoint.
func (a *App) handleAudit(w http.ResponseWriter, r *http.Request, h *hostReq) {
	q := r.URL.Query()
	p := &auditPage{Action: strings.TrimSpace(q.Get("action")), Actor: strings.TrimSpace(q.Get("actor")),
		Target: strings.TrimSpace(q.Get("target")), Since: strings.TrimSpace(q.Get("since")), Until: strings.TrimSpace(q.Get("until")),
		TZ: userZone(h.ws.User), Actions: auditActions}
	p.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	f := admit.EventFilter{Action: p.Action, Actor: p.Actor, Target: p.Target, BeforeID: p.Before, NewestFirst: true, Limit: auditPageSize + 1}
	if f.Target != "" && !strings.Contains(f.Target, ":") {
		f.Target = "meeting:" + f.Target // a bare meeting id
	}
	loc, err := time.LoadLocation(p.TZ)
	if err != nil {
		loc = time.UTC
	}
	if p.Since != "" {
		if f.Since, err = time.ParseInLocation("2006-01-02", p.Since, loc); err != nil {
			a.errorPage(w, r, admit.FieldErrorf("since", "From must be a date (YYYY-MM-DD)."))
			return
		}
	}
	if p.Until != "" {
		t, err := time.ParseInLocation("2006-01-02", p.Until, loc)
		if err != nil {
			a.errorPage(w, r, admit.FieldErrorf("until", "To must be a date (YYYY-MM-DD)."))
			return
		}
		f.Until = t.AddDate(0, 0, 1) // through the whole day
	}
	evs, err := a.Service.Events(r.Context(), h.actor, f)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	if len(evs) > auditPageSize {
		evs, p.More = evs[:auditPageSize], true
	}
	p.Events = evs
	if n := len(evs); n > 0 {
		p.NextID = evs[n-1].ID
	}
	cp, err := a.Service.AuditCheckpoint(r.Context(), h.actor)
	switch admit.ErrorCode(err) {
	case "":
		p.Checkpoint = cp
	case admit.EFORBIDDEN:
		p.CPNote = "The log's signed checkpoints are shown to the account's owners and admins."
	case admit.ENOTFOUND:
		p.CPNote = admit.ErrorMessage(err)
	default:
		a.logger().Error("web: audit checkpoint", "err", err)
		p.CPNote = "The latest checkpoint could not be read."
	}
	p.Names = a.auditNames(r, h)
	a.render(w, r, http.StatusOK, "host_audit", h.page("Audit log", p))
}

// auditNames maps the audit trail's actor and target references
// ("user:3", "meeting:m…") to what a reader knows them by: a user's name
// and email, a meeting's topic. References it cannot name stay as they are.
func (a *App) auditNames(r *http.Request, h *hostReq) map[string]string {
	names := map[string]string{"account:" + strconv.FormatInt(h.ws.User.AccountID, 10): "the account",
		"operator": "the operator (on the server)", "system": "admit", "cli": "the command line"}
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
	// A use of an API token is attributed "user:N token:T": the user's
	// name, and which token.
	if who, tok, ok := strings.Cut(ref, " token:"); ok {
		if n, ok := p.Names[who]; ok {
			return n + " (API token " + tok + ")"
		}
	}
	return ref
}

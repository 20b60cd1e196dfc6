package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/clock"
	admithttp "github.com/admit-project/admit/http"
)

// loadDoc parses and validates the embedded OpenAPI document.
func loadDoc(tb testing.TB) *openapi3.T {
	tb.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(admithttp.OpenAPIDocument)
	if err != nil {
		tb.Fatalf("load OpenAPI document: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		tb.Fatalf("OpenAPI document is not valid: %v", err)
	}
	return doc
}

// documentedOperations lists the document's operations as "METHOD /path".
func documentedOperations(doc *openapi3.T) []string {
	var ops []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, method+" "+path)
		}
	}
	sort.Strings(ops)
	return ops
}

// TestOpenAPIRoutes checks that the handler registers exactly the documented
// operations, with the same methods and path templates, and that each of
// them reaches a handler.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadDoc(t)
	registered := admithttp.Routes(&admithttp.Server{Clock: &clock.TestClock{}})
	sort.Strings(registered)
	documented := documentedOperations(doc)
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in the OpenAPI document", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("documented operation %s is not registered", d)
		}
	}
	if slices.Contains(admithttp.Routes(&admithttp.Server{}), "POST /api/v1/test-clock") {
		t.Error("the test clock is registered without a Clock")
	}

	// Every documented operation reaches its handler (not the 404 or 405 of
	// an unknown route).
	f := mustServe(t, true)
	for _, d := range documented {
		method, path, _ := strings.Cut(d, " ")
		path = strings.NewReplacer("{id}", "1", "{pid}", "pabc").Replace(path)
		res := f.host(t, method, path, "{")
		if res.Status == 405 || strings.Contains(string(res.Body), "No such route.") {
			t.Errorf("%s: %d %s: no handler", d, res.Status, res.Body)
		}
	}
}

// validator drives the real handler and checks each response (and each
// request that succeeds) against the document.
type validator struct {
	t   *testing.T
	f   *fixture
	doc *openapi3.T
	// seen records the statuses seen per operation.
	seen map[string][]int
}

// call makes a request to the operation method template, with path
// parameters params (name, value pairs), and validates it. query is added
// as is. With auth, the fixture's API token is sent.
func (v *validator) call(method, template string, params []string, query string, body any, auth bool, header ...string) *response {
	v.t.Helper()
	path := template
	pathParams := map[string]string{}
	for i := 0; i+1 < len(params); i += 2 {
		path = strings.ReplaceAll(path, "{"+params[i]+"}", url.PathEscape(params[i+1]))
		pathParams[params[i]] = params[i+1]
	}
	if query != "" {
		path += "?" + query
	}
	if auth {
		header = append([]string{"Authorization", "Bearer " + v.f.token}, header...)
	}
	res := v.f.send(v.t, method, path, body, header...)

	item := v.doc.Paths.Find(template)
	if item == nil || item.GetOperation(method) == nil {
		v.t.Fatalf("%s %s is not documented", method, template)
	}
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		raw, _ = json.Marshal(b)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: pathParams,
		Route:      &routers.Route{Spec: v.doc, Path: template, PathItem: item, Method: method, Operation: item.GetOperation(method)},
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	ctx := context.Background()
	if res.Status < 300 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			v.t.Errorf("%s %s: request does not match the document: %v", method, path, err)
		}
	}
	err := openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 res.Status,
		Header:                 res.Header,
		Body:                   readCloser(res.Body),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
	if err != nil {
		v.t.Errorf("%s %s: %d response does not match the document: %v\n%s", method, path, res.Status, err, res.Body)
	}
	op := method + " " + template
	v.seen[op] = append(v.seen[op], res.Status)
	return res
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func readCloser(b []byte) nopCloser { return nopCloser{bytes.NewReader(b)} }

// want fails the test unless res has status.
func (v *validator) want(res *response, status int, what string) {
	v.t.Helper()
	if res.Status != status {
		v.t.Fatalf("%s: got %d %s, want %d", what, res.Status, res.Body, status)
	}
}

// TestOpenAPIResponses drives every operation of the real handler and
// validates the responses (successes and errors) against the document.
// init teaches the validator calendar files: their body is a string.
func init() {
	openapi3filter.RegisterBodyDecoder("text/calendar", func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		b, err := io.ReadAll(body)
		return string(b), err
	})
}

func TestOpenAPIResponses(t *testing.T) {
	f := mustServe(t, true)
	v := &validator{t: t, f: f, doc: loadDoc(t), seen: map[string][]int{}}

	v.want(v.call("GET", "/healthz", nil, "", nil, false), 200, "health")
	res := v.call("GET", "/api/v1/openapi.json", nil, "", nil, false)
	v.want(res, 200, "openapi")
	if !bytes.Equal(res.Body, admithttp.OpenAPIDocument) {
		t.Error("the served document is not the embedded one")
	}
	v.want(v.call("POST", "/api/v1/test-clock", nil, "", map[string]string{"now": "2030-06-03T09:00:00Z"}, false), 200, "set clock")
	v.want(v.call("POST", "/api/v1/test-clock", nil, "", map[string]string{"now": "noon"}, false), 400, "bad clock")

	// Account and contacts.
	v.want(v.call("GET", "/api/v1/account/security", nil, "", nil, true), 200, "account security")
	v.want(v.call("PUT", "/api/v1/account/security", nil, "", map[string]any{"grace_minutes": 20, "locked": []string{"max_uses"}}, true), 200, "set account security")
	v.want(v.call("PUT", "/api/v1/account/security", nil, "", map[string]any{"locked": []string{"colour"}}, true), 400, "bad lock")
	v.want(v.call("GET", "/api/v1/account/plan", nil, "", nil, true), 200, "account plan")
	v.want(v.call("PUT", "/api/v1/account/plan", nil, "", map[string]any{"plan": "gold"}, true), 400, "unknown plan")
	v.want(v.call("PUT", "/api/v1/account/plan", nil, "", map[string]any{"plan": "pro"}, true), 200, "set the plan")
	res = v.call("POST", "/api/v1/contacts", nil, "", map[string]string{"name": "Carol Contact", "email": "carol@example.com", "phone": "+1 555 0100"}, true)
	v.want(res, 201, "create contact")
	var contact admit.Contact
	res.decode(t, &contact)
	cid := strconv.FormatInt(contact.ID, 10)
	v.want(v.call("POST", "/api/v1/contacts", nil, "", map[string]string{"email": "x@example.com"}, true), 400, "contact without name")
	v.want(v.call("GET", "/api/v1/contacts", nil, "", nil, true), 200, "list contacts")
	v.want(v.call("PATCH", "/api/v1/contacts/{id}", []string{"id", cid}, "", map[string]string{"phone": "+1 555 0199"}, true), 200, "update contact")
	v.want(v.call("PATCH", "/api/v1/contacts/{id}", []string{"id", "999999"}, "", map[string]string{"phone": "+1 555 0199"}, true), 404, "update unknown contact")

	// Meetings.
	v.want(v.call("GET", "/api/v1/meetings", nil, "", nil, false), 401, "list without token")
	res = v.call("POST", "/api/v1/meetings", nil, "", map[string]any{
		"topic": "Board", "kind": "scheduled", "start": "2030-06-03T09:05:00Z", "duration_minutes": 45, "timezone": "Europe/Paris",
		"security": map[string]any{"passcode": "shared", "access_code": true},
		"invitees": []map[string]any{{"contact_id": contact.ID}, {"name": "Dan Invitee", "email": "dan@example.com"}},
	}, true)
	v.want(res, 201, "create meeting")
	var board admit.MeetingView
	res.decode(t, &board)
	res = v.call("POST", "/api/v1/meetings", nil, "", map[string]any{
		"topic": "Weekly", "kind": "recurring", "start": "2030-06-04T15:00:00Z",
		"recurrence": map[string]any{"freq": "weekly", "count": 3, "weekdays": []string{"TU"}},
		"security":   map[string]any{"passcode": "unique"},
		"invitees":   []map[string]any{{"name": "Erin", "phone": "+44 20 7946 0000"}},
	}, true)
	v.want(res, 201, "create recurring meeting")
	var weekly admit.MeetingView
	res.decode(t, &weekly)
	res = v.call("POST", "/api/v1/meetings", nil, "", map[string]any{
		"topic": "Lobby", "start": "2030-06-03T09:00:00Z",
		"security": map[string]any{"passcode": "none", "access_code": false, "waiting_room": true},
	}, true)
	v.want(res, 201, "create waiting-room meeting")
	var lobby admit.MeetingView
	res.decode(t, &lobby)
	v.want(v.call("POST", "/api/v1/meetings", nil, "", map[string]any{"start": "2030-06-05T09:00:00Z", "security": map[string]any{"max_uses": 3}}, true), 403, "locked setting")
	v.want(v.call("POST", "/api/v1/meetings", nil, "", map[string]any{"kind": "personal"}, true), 409, "second personal room")
	v.want(v.call("POST", "/api/v1/meetings", nil, "", `{"topic":"`+strings.Repeat("x", 70<<10)+`"}`, true), 413, "huge meeting")
	v.want(v.call("GET", "/api/v1/meetings", nil, "from=2030-06-01T00:00:00Z&to=2030-07-01T00:00:00Z", nil, true), 200, "list meetings")
	v.want(v.call("GET", "/api/v1/meetings", nil, "from=june", nil, true), 400, "list with bad from")
	v.want(v.call("GET", "/api/v1/meetings/{id}", []string{"id", board.ID}, "", nil, true), 200, "show meeting")
	v.want(v.call("GET", "/api/v1/meetings/{id}", []string{"id", board.MeetingID}, "", nil, true), 200, "show meeting by number")
	v.want(v.call("GET", "/api/v1/meetings/{id}", []string{"id", "mnosuchmeeting00"}, "", nil, true), 404, "show unknown meeting")
	v.want(v.call("PATCH", "/api/v1/meetings/{id}", []string{"id", board.ID}, "", map[string]any{"topic": "Board (moved)"}, true), 200, "update meeting")
	v.want(v.call("PATCH", "/api/v1/meetings/{id}", []string{"id", board.ID}, "", map[string]any{"duration_minutes": 30}, true), 409, "reschedule an open meeting")
	v.want(v.call("PATCH", "/api/v1/meetings/{id}", []string{"id", board.ID}, "", map[string]any{"security": map[string]any{"passcode": "sometimes"}}, true), 400, "bad passcode mode")
	v.want(v.call("POST", "/api/v1/meetings/{id}/regenerate", []string{"id", board.ID}, "", map[string]any{"what": "access_code"}, true), 200, "regenerate code")
	res = v.call("POST", "/api/v1/meetings/{id}/regenerate", []string{"id", board.ID}, "", map[string]any{"what": "passcode"}, true)
	v.want(res, 200, "regenerate passcode")
	res.decode(t, &board)
	res = v.call("POST", "/api/v1/meetings/{id}/regenerate", []string{"id", board.ID}, "", map[string]any{"what": "invitee", "invitee": board.Invitees[1].ID}, true)
	v.want(res, 200, "regenerate invitee")
	res.decode(t, &board)
	v.want(v.call("POST", "/api/v1/meetings/{id}/regenerate", []string{"id", board.ID}, "", map[string]any{"what": "everything"}, true), 400, "regenerate what")

	// Invitations.
	v.want(v.call("GET", "/api/v1/mail", nil, "", nil, true), 200, "mail status")
	res = v.call("GET", "/api/v1/meetings/{id}/deliveries", []string{"id", board.ID}, "", nil, true)
	v.want(res, 200, "deliveries")
	var ds struct{ Deliveries []admit.Delivery }
	res.decode(t, &ds)
	if len(ds.Deliveries) == 0 {
		t.Fatalf("no deliveries: %s", res.Body)
	}
	v.want(v.call("POST", "/api/v1/meetings/{id}/deliveries/{delivery}/resend", []string{"id", board.ID, "delivery", strconv.FormatInt(ds.Deliveries[0].ID, 10)}, "", nil, true), 200, "resend")
	v.want(v.call("POST", "/api/v1/meetings/{id}/deliveries/{delivery}/resend", []string{"id", board.ID, "delivery", "999999"}, "", nil, true), 404, "resend unknown")
	v.want(v.call("GET", "/api/v1/meetings/{id}/invitation.ics", []string{"id", board.ID}, "invitee="+board.Invitees[0].ID, nil, true), 200, "invitee's calendar file")
	v.want(v.call("GET", "/api/v1/meetings/{id}/invitation", []string{"id", board.ID}, "", nil, true), 200, "shared invitation text")
	v.want(v.call("GET", "/api/v1/meetings/{id}/invitation", []string{"id", board.ID}, "invitee=inosuch", nil, true), 404, "unknown invitee's invitation")

	// Removing one invitee.
	res = v.call("DELETE", "/api/v1/meetings/{id}/invitees/{invitee}", []string{"id", board.ID, "invitee", board.Invitees[0].ID}, "", nil, true)
	v.want(res, 200, "remove an invitee")
	v.want(v.call("DELETE", "/api/v1/meetings/{id}/invitees/{invitee}", []string{"id", board.ID, "invitee", board.Invitees[0].ID}, "", nil, true), 404, "remove it twice")

	// The account's mail settings: the SMTP password is never returned.
	v.want(v.call("GET", "/api/v1/account/mail", nil, "", nil, true), 200, "account mail settings")
	v.want(v.call("PUT", "/api/v1/account/mail/smtp", nil, "", map[string]any{"host": "smtp.acme.example", "security": "none", "from": "m@acme.example"}, true), 400, "no TLS to a remote server")
	smtpPassword := "smtp-password-" + strings.Repeat("x", 16)
	res = v.call("PUT", "/api/v1/account/mail/smtp", nil, "", map[string]any{"host": "smtp.acme.example", "username": "mailer", "password": smtpPassword, "from": "m@acme.example"}, true)
	v.want(res, 200, "set the account's SMTP server")
	if strings.Contains(string(res.Body), smtpPassword) || !strings.Contains(string(res.Body), `"password_set":true`) {
		t.Errorf("the SMTP settings answer is %s", res.Body)
	}
	v.want(v.call("PUT", "/api/v1/account/mail", nil, "", map[string]any{"reminder_lead_minutes": 30}, true), 200, "account reminder lead")
	v.want(v.call("PUT", "/api/v1/account/mail", nil, "", map[string]any{"reminder_lead_minutes": -1}, true), 400, "negative reminder lead")
	v.want(v.call("DELETE", "/api/v1/account/mail/smtp", nil, "", nil, true), 204, "remove the account's SMTP server")
	v.want(v.call("DELETE", "/api/v1/account/mail/smtp", nil, "", nil, true), 404, "remove it twice")

	// Joins.
	v.call("POST", "/api/v1/test-clock", nil, "", map[string]string{"advance": "3m"}, false)
	res = v.call("POST", "/api/v1/join", nil, "", map[string]string{"meeting_id": board.MeetingIDDisplay, "passcode": board.Passcode, "name": "Ann Attendee", "channel": "web"}, false)
	v.want(res, 200, "join by meeting ID")
	var ann admit.JoinResult
	res.decode(t, &ann)
	if ann.Status != admit.StatusAdmitted || ann.AdmissionToken == "" {
		t.Errorf("join: %s", res.Body)
	}
	res = v.call("POST", "/api/v1/join", nil, "", map[string]string{"access_code": board.Occurrences[0].AccessCode, "passcode": board.Passcode, "name": "Bob"}, false)
	v.want(res, 200, "join by access code")
	var bob admit.JoinResult
	res.decode(t, &bob)
	token := board.Invitees[1].Link[strings.LastIndex(board.Invitees[1].Link, "/")+1:]
	v.want(v.call("POST", "/api/v1/join", nil, "", map[string]string{"token": token, "channel": "app"}, false), 200, "join by link")
	// With a guess budget of 1, the refused join spends it; the host resets
	// it after regenerating the passcode.
	v.want(v.call("PUT", "/api/v1/account/security", nil, "", map[string]any{"guess_budget": 1}, true), 200, "lower the guess budget")
	v.want(v.call("POST", "/api/v1/join", nil, "", map[string]string{"meeting_id": board.MeetingID, "passcode": "wrong-passcode"}, false), 403, "refused join")
	v.want(v.call("GET", "/api/v1/meetings/{id}/participants", []string{"id", board.ID}, "", nil, true), 200, "roster with a spent budget")
	v.want(v.call("POST", "/api/v1/meetings/{id}/reset-budget", []string{"id", board.ID}, "", nil, true), 409, "reset before regenerating")
	res = v.call("POST", "/api/v1/meetings/{id}/regenerate", []string{"id", board.ID}, "", map[string]any{"what": "passcode"}, true)
	v.want(res, 200, "regenerate the passcode after the budget is spent")
	res.decode(t, &board)
	v.want(v.call("POST", "/api/v1/meetings/{id}/reset-budget", []string{"id", board.ID}, "", nil, true), 200, "reset the budget")
	v.want(v.call("PUT", "/api/v1/account/security", nil, "", map[string]any{"guess_budget": 100, "guess_ceiling": 1e-6}, true), 200, "restore the guess budget")
	v.want(v.call("POST", "/api/v1/join", nil, "", map[string]string{"meeting_id": "12"}, false), 400, "malformed join")
	v.want(v.call("POST", "/api/v1/join", nil, "", `{"meeting_id":"`+strings.Repeat("1", 9000)+`"}`, false), 413, "huge join")
	v.want(v.call("POST", "/api/v1/join", nil, "", map[string]string{"meeting_id": weekly.MeetingID, "passcode": weekly.Invitees[0].Passcode}, false), 403, "join before the window")
	res = v.call("POST", "/api/v1/join", nil, "", map[string]string{"meeting_id": lobby.MeetingID, "name": "Wendy Waiting"}, false)
	v.want(res, 200, "join the waiting room")
	var wendy admit.JoinResult
	res.decode(t, &wendy)
	if wendy.Status != admit.StatusWaiting {
		t.Errorf("waiting-room join: %s", res.Body)
	}
	res = v.call("POST", "/api/v1/join", nil, "", map[string]string{"meeting_id": lobby.MeetingID, "name": "Walt Waiting"}, false)
	var walt admit.JoinResult
	res.decode(t, &walt)

	// Participants.
	v.want(v.call("GET", "/api/v1/participants/{pid}", []string{"pid", wendy.Participant.ID}, "", nil, false), 200, "poll waiting")
	v.want(v.call("GET", "/api/v1/participants/{pid}", []string{"pid", "pnosuchparticipant"}, "", nil, false), 404, "poll unknown")
	res = v.call("GET", "/api/v1/meetings/{id}/participants", []string{"id", lobby.ID}, "", nil, true)
	v.want(res, 200, "roster")
	var lobbyRoster admit.Roster
	res.decode(t, &lobbyRoster)
	// The host acts on the handles the roster shows, not on bearer IDs.
	wendyHandle, waltHandle := "", ""
	for _, p := range lobbyRoster.Waiting {
		switch p.DisplayName {
		case "Wendy Waiting":
			wendyHandle = p.ID
		case "Walt Waiting":
			waltHandle = p.ID
		}
	}
	v.want(v.call("POST", "/api/v1/meetings/{id}/participants/{pid}/admit", []string{"id", lobby.ID, "pid", wendyHandle}, "", nil, true), 200, "admit")
	v.want(v.call("POST", "/api/v1/meetings/{id}/participants/{pid}/admit", []string{"id", lobby.ID, "pid", wendyHandle}, "", nil, true), 409, "admit twice")
	res = v.call("GET", "/api/v1/participants/{pid}", []string{"pid", wendy.Participant.ID}, "", nil, false)
	v.want(res, 200, "poll admitted")
	res.decode(t, &wendy)
	if wendy.Status != admit.StatusAdmitted || wendy.AdmissionToken == "" {
		t.Errorf("admitted poll: %s", res.Body)
	}
	// Media: the account's media server, the host's start, the admitted
	// participant's grant, the media server's webhook.
	lkSecret := strings.Repeat("s", 32)
	v.want(v.call("GET", "/api/v1/account/media", nil, "", nil, true), 404, "no media server yet")
	v.want(v.call("PUT", "/api/v1/account/media", nil, "", map[string]any{"backend": "livekit", "livekit": map[string]string{"url": "ws://127.0.0.1:1", "api_key": "lkkey"}}, true), 400, "media server without its secret")
	v.want(v.call("POST", "/api/v1/participants/{pid}/media", []string{"pid", wendy.Participant.ID}, "", nil, false), 409, "media grant without a media server")
	res = v.call("PUT", "/api/v1/account/media", nil, "", map[string]any{"backend": "livekit", "livekit": map[string]string{"url": "ws://127.0.0.1:1", "api_key": "lkkey", "api_secret": lkSecret}}, true)
	v.want(res, 200, "set the media server")
	if strings.Contains(string(res.Body), lkSecret) {
		t.Errorf("the media settings show the secret: %s", res.Body)
	}
	v.want(v.call("GET", "/api/v1/account/media", nil, "", nil, true), 200, "media server")
	res = v.call("POST", "/api/v1/participants/{pid}/media", []string{"pid", wendy.Participant.ID}, "", nil, false)
	v.want(res, 200, "media grant")
	var grant admit.MediaGrant
	res.decode(t, &grant)
	if grant.Backend != admit.MediaLiveKit || grant.Token == "" || grant.Room == "" {
		t.Errorf("media grant: %s", res.Body)
	}
	v.want(v.call("POST", "/api/v1/participants/{pid}/media", []string{"pid", walt.Participant.ID}, "", nil, false), 409, "media grant while waiting")
	v.want(v.call("POST", "/api/v1/meetings/{id}/media", []string{"id", lobby.ID}, "", nil, true), 200, "start the media room")
	hookBody := `{"event":"room_started","id":"EV_openapi","room":{"name":"not-admits"}}`
	v.want(v.call("POST", "/api/v1/media/webhook/{account}", []string{"account", "1"}, "", hookBody, false, "Authorization", livekitWebhookAuth(t, "lkkey", lkSecret, hookBody)), 204, "media webhook")
	v.want(v.call("POST", "/api/v1/media/webhook/{account}", []string{"account", "1"}, "", hookBody, false, "Authorization", livekitWebhookAuth(t, "lkkey", strings.Repeat("x", 32), hookBody)), 401, "forged media webhook")
	v.want(v.call("POST", "/api/v1/meetings/{id}/participants/{pid}/deny", []string{"id", lobby.ID, "pid", waltHandle}, "", nil, true), 200, "deny")
	v.want(v.call("GET", "/api/v1/participants/{pid}", []string{"pid", walt.Participant.ID}, "", nil, false), 200, "poll denied")
	v.want(v.call("POST", "/api/v1/meetings/{id}/participants/{pid}/remove", []string{"id", lobby.ID, "pid", wendyHandle}, "", nil, true), 200, "remove")
	v.want(v.call("POST", "/api/v1/meetings/{id}/participants/{pid}/remove", []string{"id", board.ID, "pid", wendyHandle}, "", nil, true), 404, "remove from another meeting")
	v.call("POST", "/api/v1/test-clock", nil, "", map[string]string{"advance": "10m"}, false)
	v.want(v.call("POST", "/api/v1/participants/{pid}/leave", []string{"pid", bob.Participant.ID}, "", nil, false), 200, "leave")
	v.want(v.call("POST", "/api/v1/participants/{pid}/leave", []string{"pid", bob.Participant.ID}, "", nil, false), 409, "leave twice")
	v.want(v.call("GET", "/api/v1/meetings/{id}/attendance", []string{"id", board.ID}, "occurrence=1", nil, true), 200, "attendance")
	res = v.call("GET", "/api/v1/meetings/{id}/attendance", []string{"id", board.ID}, "", nil, true, "Accept", "text/csv")
	v.want(res, 200, "attendance CSV")
	if !strings.HasPrefix(string(res.Body), "participant_id,") {
		t.Errorf("attendance CSV: %s", res.Body)
	}
	v.want(v.call("GET", "/api/v1/meetings/{id}/attendance", []string{"id", board.ID}, "occurrence=7", nil, true), 400, "attendance of no occurrence")
	v.want(v.call("GET", "/api/v1/meetings/{id}/attempts", []string{"id", board.ID}, "limit=10", nil, true), 200, "attempts")
	v.want(v.call("GET", "/api/v1/audit", nil, "after=0&limit=50", nil, true), 200, "audit")
	v.want(v.call("GET", "/api/v1/audit", nil, "limit=5000", nil, true), 400, "audit limit")
	v.want(v.call("GET", "/api/v1/audit/checkpoint", nil, "", nil, true), 404, "no checkpoint yet")
	if _, err := f.auditLog.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	v.want(v.call("GET", "/api/v1/audit/checkpoint", nil, "", nil, true), 200, "audit checkpoint")
	v.want(v.call("GET", "/api/v1/audit/proof/{seq}", []string{"seq", "1"}, "", nil, true), 200, "audit proof")
	v.want(v.call("GET", "/api/v1/audit/proof/{seq}", []string{"seq", "100000"}, "", nil, true), 404, "proof past the checkpoint")
	v.want(v.call("GET", "/api/v1/audit/consistency", nil, "old_size=1", nil, true), 200, "audit consistency")
	v.want(v.call("GET", "/api/v1/audit/consistency", nil, "old_size=100000", nil, true), 400, "consistency past the checkpoint")

	// Single sign-on: the account's identity provider.
	idp := map[string]any{"name": "Example SSO", "issuer": "https://idp.example.com/", "client_id": "admit", "client_secret": "s3cret",
		"allowed_domains": []string{"example.com"}, "role_claim": "groups", "role_mappings": []map[string]string{{"value": "admins", "role": "admin"}},
		"default_role": "host", "sso_only": false}
	v.want(v.call("GET", "/api/v1/account/identity-provider", nil, "", nil, true), 404, "no identity provider")
	res = v.call("PUT", "/api/v1/account/identity-provider", nil, "", idp, true)
	v.want(res, 200, "set identity provider")
	if strings.Contains(string(res.Body), "s3cret") || !strings.Contains(string(res.Body), `"has_client_secret":true`) {
		t.Errorf("set identity provider: %s", res.Body)
	}
	idp["allowed_domains"] = []string{}
	v.want(v.call("PUT", "/api/v1/account/identity-provider", nil, "", idp, true), 400, "identity provider without domains")
	v.want(v.call("GET", "/api/v1/account/identity-provider", nil, "", nil, true), 200, "identity provider")
	v.want(v.call("DELETE", "/api/v1/account/identity-provider", nil, "", nil, true), 204, "delete identity provider")

	// Ending and deleting.
	v.want(v.call("POST", "/api/v1/meetings/{id}/end", []string{"id", board.ID}, "", nil, true), 200, "end")
	v.want(v.call("POST", "/api/v1/meetings/{id}/end", []string{"id", board.ID}, "", map[string]int{"occurrence": 1}, true), 409, "end twice")
	v.want(v.call("POST", "/api/v1/join", nil, "", map[string]string{"meeting_id": board.MeetingID, "passcode": board.Passcode}, false), 403, "join after the end")
	v.want(v.call("DELETE", "/api/v1/meetings/{id}", []string{"id", weekly.ID}, "", nil, true), 204, "delete meeting")
	v.want(v.call("DELETE", "/api/v1/meetings/{id}", []string{"id", weekly.ID}, "", nil, true), 404, "delete twice")
	v.want(v.call("DELETE", "/api/v1/contacts/{id}", []string{"id", cid}, "", nil, true), 204, "delete contact")
	v.want(v.call("DELETE", "/api/v1/account/media", nil, "", nil, true), 204, "remove the media server")
	v.want(v.call("DELETE", "/api/v1/account/media", nil, "", nil, true), 404, "remove the media server twice")

	// After an attack: deny the unmatched entries, restore the meeting.
	res = v.call("POST", "/api/v1/meetings/{id}/participants/deny-unmatched", []string{"id", lobby.ID}, "", nil, true)
	v.want(res, 200, "deny the unmatched entries")
	v.want(v.call("POST", "/api/v1/meetings/{id}/restore", []string{"id", lobby.ID}, "", nil, true), 200, "restore the meeting")

	// The caller's own API tokens.
	res = v.call("POST", "/api/v1/tokens", nil, "", map[string]any{"scopes": []string{"read"}, "name": "dashboard", "expires_in": "24h"}, true)
	v.want(res, 201, "make a token")
	var nt struct{ ID string }
	res.decode(t, &nt)
	v.want(v.call("POST", "/api/v1/tokens", nil, "", map[string]any{"expires_in": "forever"}, true), 400, "token with a bad expiry")
	v.want(v.call("GET", "/api/v1/tokens", nil, "", nil, true), 200, "list tokens")
	v.want(v.call("DELETE", "/api/v1/tokens/{id}", []string{"id", nt.ID}, "", nil, true), 204, "revoke a token")
	v.want(v.call("DELETE", "/api/v1/tokens/{id}", []string{"id", nt.ID}, "", nil, true), 404, "revoke twice")

	// Every documented operation was driven to a success.
	for _, op := range documentedOperations(v.doc) {
		ok := false
		for _, st := range v.seen[op] {
			ok = ok || st < 300
		}
		if !ok {
			t.Errorf("%s was not exercised with success (statuses %v)", op, v.seen[op])
		}
	}
	_ = time.Second
	_ = http.StatusOK
}

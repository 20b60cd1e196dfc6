// Package bbbtest is a fake BigBlueButton API server for tests. It checks
// every call's checksum as BigBlueButton does (the algorithm told by the
// checksum's length, among those the server supports, over the call name,
// the query string as sent without the checksum, and the shared secret) and
// keeps meetings, their createTime and their attendees in memory.
//
// It may import the standard library and the testing package.
package bbbtest

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Server is a fake BigBlueButton API.
type Server struct {
	// URL is the API base ("http://127.0.0.1:PORT/bigbluebutton/api/").
	URL string
	// Secret is the shared secret.
	Secret string

	srv        *httptest.Server
	algorithms map[string]bool

	mu       sync.Mutex
	meetings map[string]*Meeting
	clock    int64
	calls    []Call
}

// Call is one API call the server answered.
type Call struct {
	Name   string
	Params url.Values
	// Refused is the messageKey of a FAILED answer, "" on SUCCESS.
	Refused string
}

// Meeting is a running meeting.
type Meeting struct {
	ID         string
	Name       string
	CreateTime int64
	// Attendees by userID, with their role.
	Attendees map[string]Attendee
}

// Attendee is someone who joined a meeting.
type Attendee struct {
	UserID   string
	FullName string
	Role     string
}

// Start starts a fake server with secret, supporting the checksum
// algorithms given (all four when none), and stops it when tb ends.
func Start(tb testing.TB, secret string, algorithms ...string) *Server {
	tb.Helper()
	if len(algorithms) == 0 {
		algorithms = []string{"sha1", "sha256", "sha384", "sha512"}
	}
	s := &Server{Secret: secret, algorithms: map[string]bool{}, meetings: map[string]*Meeting{}, clock: 1_700_000_000_000}
	for _, a := range algorithms {
		s.algorithms[a] = true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/bigbluebutton/api/{call}", s.serveCall)
	mux.HandleFunc("/client/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "bbb client") })
	s.srv = httptest.NewServer(mux)
	tb.Cleanup(s.srv.Close)
	s.URL = s.srv.URL + "/bigbluebutton/api/"
	return s
}

// Calls returns the calls answered so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Meeting returns a copy of the running meeting id, or nil.
func (s *Server) Meeting(id string) *Meeting {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.meetings[id]
	if m == nil {
		return nil
	}
	c := *m
	c.Attendees = map[string]Attendee{}
	for k, v := range m.Attendees {
		c.Attendees[k] = v
	}
	return &c
}

func hashFor(n int) (string, func() hash.Hash) {
	switch n {
	case 40:
		return "sha1", sha1.New
	case 64:
		return "sha256", sha256.New
	case 96:
		return "sha384", sha512.New384
	case 128:
		return "sha512", sha512.New
	}
	return "", nil
}

// checksumOK checks a call's checksum the way BigBlueButton does.
func (s *Server) checksumOK(call string, r *http.Request) bool {
	sum := r.URL.Query().Get("checksum")
	alg, newHash := hashFor(len(sum))
	if newHash == nil || !s.algorithms[alg] {
		return false
	}
	q := r.URL.RawQuery
	q = strings.Replace(q, "&checksum="+sum, "", 1)
	q = strings.Replace(q, "checksum="+sum+"&", "", 1)
	q = strings.Replace(q, "checksum="+sum, "", 1)
	h := newHash()
	h.Write([]byte(call + q + s.Secret))
	want := hex.EncodeToString(h.Sum(nil))
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(sum)), []byte(want)) == 1
}

type attendeeXML struct {
	UserID   string `xml:"userID"`
	FullName string `xml:"fullName"`
	Role     string `xml:"role"`
}

type responseXML struct {
	XMLName    xml.Name      `xml:"response"`
	ReturnCode string        `xml:"returncode"`
	MessageKey string        `xml:"messageKey,omitempty"`
	Message    string        `xml:"message,omitempty"`
	MeetingID  string        `xml:"meetingID,omitempty"`
	CreateTime int64         `xml:"createTime,omitempty"`
	Running    *bool         `xml:"running,omitempty"`
	Attendees  []attendeeXML `xml:"attendees>attendee,omitempty"`
}

func (s *Server) serveCall(w http.ResponseWriter, r *http.Request) {
	call := r.PathValue("call")
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	answer := func(res responseXML) {
		c := Call{Name: call, Params: q}
		if res.ReturnCode != "SUCCESS" {
			c.Refused = res.MessageKey
		}
		s.calls = append(s.calls, c)
		w.Header().Set("Content-Type", "text/xml")
		_ = xml.NewEncoder(w).Encode(res)
	}
	failed := func(key, msg string) { answer(responseXML{ReturnCode: "FAILED", MessageKey: key, Message: msg}) }
	if !s.checksumOK(call, r) {
		failed("checksumError", "Checksums do not match")
		return
	}
	id := q.Get("meetingID")
	m := s.meetings[id]
	switch call {
	case "create":
		if id == "" || q.Get("name") == "" {
			failed("missingParamMeetingID", "You must specify a meeting ID and name for the meeting.")
			return
		}
		if m != nil {
			answer(responseXML{ReturnCode: "SUCCESS", MessageKey: "duplicateWarning", MeetingID: id, CreateTime: m.CreateTime})
			return
		}
		s.clock += 1000
		m = &Meeting{ID: id, Name: q.Get("name"), CreateTime: s.clock, Attendees: map[string]Attendee{}}
		s.meetings[id] = m
		answer(responseXML{ReturnCode: "SUCCESS", MeetingID: id, CreateTime: m.CreateTime})
	case "join":
		if q.Get("fullName") == "" {
			failed("missingParamFullName", "You must specify a name for the attendee who will be joining the meeting.")
			return
		}
		if m == nil {
			failed("invalidMeetingIdentifier", "The meeting ID that you supplied did not match any existing meetings")
			return
		}
		if ct := q.Get("createTime"); ct != "" && ct != fmt.Sprint(m.CreateTime) {
			failed("mismatchCreateTimeParam", "The createTime parameter submitted mismatches with the current meeting.")
			return
		}
		role := q.Get("role")
		if role != "MODERATOR" && role != "VIEWER" {
			failed("invalidRole", "The role parameter is MODERATOR or VIEWER.")
			return
		}
		m.Attendees[q.Get("userID")] = Attendee{UserID: q.Get("userID"), FullName: q.Get("fullName"), Role: role}
		s.calls = append(s.calls, Call{Name: call, Params: q})
		if q.Get("redirect") != "false" {
			http.Redirect(w, r, "/client/?meetingID="+url.QueryEscape(id), http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		_ = xml.NewEncoder(w).Encode(responseXML{ReturnCode: "SUCCESS", MeetingID: id})
	case "end":
		if m == nil {
			failed("notFound", "We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?")
			return
		}
		delete(s.meetings, id)
		answer(responseXML{ReturnCode: "SUCCESS", MessageKey: "sentEndMeetingRequest"})
	case "getMeetingInfo":
		if m == nil {
			failed("notFound", "A meeting with that ID does not exist")
			return
		}
		res := responseXML{ReturnCode: "SUCCESS", MeetingID: id, CreateTime: m.CreateTime}
		for _, a := range m.Attendees {
			res.Attendees = append(res.Attendees, attendeeXML(a))
		}
		answer(res)
	case "isMeetingRunning":
		running := m != nil
		answer(responseXML{ReturnCode: "SUCCESS", Running: &running})
	default:
		failed("unsupportedRequest", "This request is not supported.")
	}
}

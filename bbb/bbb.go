package bbb

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// Backend is a BigBlueButton server as admit's media backend.
type Backend struct {
	cfg    admit.BigBlueButtonConfig
	api    string // API base, ending in "/"
	client *http.Client
}

var _ admit.MediaBackend = (*Backend)(nil)

// New returns a backend for cfg. httpClient nil means a client with a 10
// second timeout. EINVALID when cfg is not valid.
func New(cfg admit.BigBlueButtonConfig, httpClient *http.Client) (*Backend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Checksum == "" {
		cfg.Checksum = admit.ChecksumSHA256
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	api := cfg.APIURL
	if !strings.HasSuffix(api, "/") {
		api += "/"
	}
	return &Backend{cfg: cfg, api: api, client: httpClient}, nil
}

// Kind returns admit.MediaBigBlueButton.
func (b *Backend) Kind() admit.MediaKind { return admit.MediaBigBlueButton }

// NewHash returns the hash of the checksum algorithm alg, or nil when alg is
// not one BigBlueButton knows.
func NewHash(alg string) hash.Hash {
	switch alg {
	case admit.ChecksumSHA1:
		return sha1.New()
	case "", admit.ChecksumSHA256:
		return sha256.New()
	case admit.ChecksumSHA384:
		return sha512.New384()
	case admit.ChecksumSHA512:
		return sha512.New()
	}
	return nil
}

// Checksum returns the checksum of an API call: hex(H(call + query +
// secret)), where query is the encoded query string as sent, without the
// checksum parameter.
func Checksum(alg, call, query, secret string) string {
	h := NewHash(alg)
	if h == nil {
		return ""
	}
	io.WriteString(h, call+query+secret)
	return hex.EncodeToString(h.Sum(nil))
}

// CallURL returns the signed URL of an API call with params.
func (b *Backend) CallURL(call string, params url.Values) string {
	q := params.Encode()
	sum := Checksum(b.cfg.Checksum, call, q, b.cfg.Secret)
	if q != "" {
		q += "&"
	}
	return b.api + call + "?" + q + "checksum=" + sum
}

// Response is the XML answer of an API call, with the fields admit reads.
type Response struct {
	XMLName    xml.Name `xml:"response"`
	ReturnCode string   `xml:"returncode"`
	MessageKey string   `xml:"messageKey"`
	Message    string   `xml:"message"`
	MeetingID  string   `xml:"meetingID"`
	CreateTime int64    `xml:"createTime"`
	Running    bool     `xml:"running"`
	Attendees  []struct {
		UserID   string `xml:"userID"`
		FullName string `xml:"fullName"`
		Role     string `xml:"role"`
	} `xml:"attendees>attendee"`
}

// call performs an API call and decodes its answer. A FAILED answer is an
// EMEDIA error unless its message key is in okKeys, then the answer is
// returned.
func (b *Backend) call(ctx context.Context, call string, params url.Values, okKeys ...string) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.CallURL(call, params), nil)
	if err != nil {
		return nil, err
	}
	res, err := b.client.Do(req)
	if err != nil {
		return nil, mediaErrorf(err, "The BigBlueButton server could not be reached (%s).", call)
	}
	defer res.Body.Close()
	var r Response
	if err := xml.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&r); err != nil {
		return nil, mediaErrorf(fmt.Errorf("status %d: %w", res.StatusCode, err), "The BigBlueButton server's answer to %s is not readable.", call)
	}
	if r.ReturnCode != "SUCCESS" {
		for _, k := range okKeys {
			if r.MessageKey == k {
				return &r, nil
			}
		}
		if r.MessageKey == "checksumError" {
			return nil, mediaErrorf(fmt.Errorf("%s: %s", r.MessageKey, r.Message), "The BigBlueButton server refused admit's checksum: check the shared secret and the checksum algorithm.")
		}
		return nil, mediaErrorf(fmt.Errorf("%s: %s", r.MessageKey, r.Message), "The BigBlueButton server refused %s.", call)
	}
	return &r, nil
}

// create creates room (BigBlueButton answers a create of a running meeting
// with that meeting) and returns its createTime.
func (b *Backend) create(ctx context.Context, room admit.MediaRoom) (int64, error) {
	name := room.Title
	if name == "" {
		name = room.Name
	}
	r, err := b.call(ctx, "create", url.Values{"name": {name}, "meetingID": {room.Name}, "record": {"false"}})
	if err != nil {
		return 0, err
	}
	if r.CreateTime == 0 {
		return 0, mediaErrorf(fmt.Errorf("no createTime"), "The BigBlueButton server's answer to create has no createTime.")
	}
	return r.CreateTime, nil
}

// Grant creates the room if it is not running and returns p's join URL as a
// VIEWER, bound to the meeting's createTime.
func (b *Backend) Grant(ctx context.Context, room admit.MediaRoom, p admit.MediaParticipant, _ time.Duration) (*admit.MediaGrant, error) {
	return b.join(ctx, room, p)
}

// Start creates the room if it is not running and returns the host's join
// URL as a MODERATOR.
func (b *Backend) Start(ctx context.Context, room admit.MediaRoom, host admit.MediaParticipant, _ time.Duration) (*admit.MediaGrant, error) {
	host.Host = true
	return b.join(ctx, room, host)
}

// JoinURL returns the signed join URL of p in meeting room created at
// createTime (milliseconds, as BigBlueButton gives it).
func (b *Backend) JoinURL(room string, createTime int64, p admit.MediaParticipant) string {
	role := "VIEWER"
	if p.Host {
		role = "MODERATOR"
	}
	return b.CallURL("join", url.Values{
		"fullName":   {p.Name},
		"meetingID":  {room},
		"role":       {role},
		"userID":     {p.Identity},
		"createTime": {fmt.Sprint(createTime)},
		"redirect":   {"true"},
	})
}

func (b *Backend) join(ctx context.Context, room admit.MediaRoom, p admit.MediaParticipant) (*admit.MediaGrant, error) {
	if room.Name == "" {
		return nil, admit.FieldErrorf("room", "The media room is required.")
	}
	if p.Identity == "" {
		return nil, admit.FieldErrorf("identity", "The participant's media identity is required.")
	}
	created, err := b.create(ctx, room)
	if err != nil {
		return nil, err
	}
	u := b.JoinURL(room.Name, created, p)
	return &admit.MediaGrant{Backend: admit.MediaBigBlueButton, URL: u, Room: room.Name, Identity: p.Identity, JoinURL: u}, nil
}

// Remove returns EUNSUPPORTED: BigBlueButton's API cannot remove one
// participant (a moderator can, in the meeting).
func (b *Backend) Remove(context.Context, string, string) error {
	return &admit.Error{Code: admit.EUNSUPPORTED, Message: "BigBlueButton's API cannot remove one participant; a moderator can, in the meeting."}
}

// End ends room with the end call. A meeting the server does not know is
// not an error. EMEDIA.
func (b *Backend) End(ctx context.Context, room string) error {
	_, err := b.call(ctx, "end", url.Values{"meetingID": {room}}, "notFound")
	return err
}

// Presence lists room's attendees with getMeetingInfo; a meeting that is not
// running has none. EMEDIA.
func (b *Backend) Presence(ctx context.Context, room string) ([]admit.MediaPresence, error) {
	r, err := b.call(ctx, "getMeetingInfo", url.Values{"meetingID": {room}}, "notFound")
	if err != nil {
		return nil, err
	}
	var out []admit.MediaPresence
	for _, a := range r.Attendees {
		out = append(out, admit.MediaPresence{Identity: a.UserID, Name: a.FullName})
	}
	return out, nil
}

// mediaErr is an EMEDIA *admit.Error that keeps its cause for the logs.
type mediaErr struct {
	msg   string
	cause error
}

func mediaErrorf(cause error, format string, args ...any) error {
	return &mediaErr{msg: fmt.Sprintf(format, args...), cause: cause}
}

func (e *mediaErr) Error() string { return "bbb: " + e.msg + ": " + e.cause.Error() }
func (e *mediaErr) Unwrap() []error {
	return []error{&admit.Error{Code: admit.EMEDIA, Message: e.msg}, e.cause}
}

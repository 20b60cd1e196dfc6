package mail_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/keys"
)

// tb is what the helpers need of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
}

func mustRing(t testing.TB) *keys.Ring {
	t.Helper()
	r, err := keys.New(bytes.Repeat([]byte{7}, keys.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var zurich = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		panic(err)
	}
	return loc
}()

// letterFor is invitee i's invitation to a weekly series, with credentials
// that are unique to i.
func letterFor(i int) *admit.Letter {
	start := time.Date(2026, 3, 23, 9, 30, 0, 0, zurich).UTC()
	return &admit.Letter{
		Kind: admit.OutboxInvitation, UID: "mABC@admit.example", Sequence: 0,
		Stamp: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC),
		Topic: "Budget; plans, Q2: review", Timezone: "Europe/Zurich", Start: start, DurationMinutes: 45,
		Recurrence:    &admit.Recurrence{Freq: "weekly", Interval: 1, Count: 4},
		Occurrence:    &admit.LetterOccurrence{Index: 1, Start: start, End: start.Add(45 * time.Minute)},
		Organizer:     admit.Addressee{Name: "Ada Host", Email: "ada@example.com"},
		Invitee:       admit.Addressee{Name: fmt.Sprintf("Invitee %d", i), Email: fmt.Sprintf("invitee%d@example.com", i)},
		JoinURL:       fmt.Sprintf("https://admit.example/j/12345678901?t=token%dXYZ", i),
		MeetingNumber: "12345678901", Passcode: fmt.Sprintf("pass%dQ", i), PhonePasscode: fmt.Sprintf("90%d417", i),
		PIN: fmt.Sprintf("55%d21", i), AccessCode: fmt.Sprintf("code%dK", i),
		DialIn: []string{"+41 44 000 00 00"},
	}
}

// secretsOf lists the credentials that only invitee i's message may hold.
func secretsOf(l *admit.Letter) []string {
	return []string{l.JoinURL, l.Passcode, l.PhonePasscode, l.PIN, l.AccessCode, l.Invitee.Email}
}

// part is a leaf of a parsed MIME message.
type part struct {
	ContentType string
	Params      map[string]string
	Disposition string
	Filename    string
	Body        []byte
}

// parsedMessage is a message read back with net/mail and mime/multipart.
type parsedMessage struct {
	Header mail.Header
	// Layout is the tree of content types, e.g.
	// "multipart/mixed[multipart/alternative[text/plain,text/html],application/ics]".
	Layout string
	Parts  []part
}

func parseMessage(t testing.TB, raw []byte) *parsedMessage {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v\n%s", err, raw)
	}
	p := &parsedMessage{Header: msg.Header}
	p.Layout = walk(t, p, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Header.Get("Content-Disposition"), msg.Body)
	return p
}

func walk(t testing.TB, p *parsedMessage, ctype, cte, disp string, body io.Reader) string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("content type %q: %v", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		var kids []string
		for {
			np, err := r.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("multipart: %v", err)
			}
			kids = append(kids, walk(t, p, np.Header.Get("Content-Type"), np.Header.Get("Content-Transfer-Encoding"), np.Header.Get("Content-Disposition"), np))
		}
		return mt + "[" + strings.Join(kids, ",") + "]"
	}
	b, err := io.ReadAll(decode(cte, body))
	if err != nil {
		t.Fatalf("decoding a %s part: %v", mt, err)
	}
	leaf := part{ContentType: mt, Params: params, Body: b}
	if disp != "" {
		d, dp, err := mime.ParseMediaType(disp)
		if err != nil {
			t.Fatalf("content disposition %q: %v", disp, err)
		}
		leaf.Disposition, leaf.Filename = d, dp["filename"]
	}
	p.Parts = append(p.Parts, leaf)
	return mt
}

func (p *parsedMessage) part(t testing.TB, ctype string) part {
	t.Helper()
	for _, x := range p.Parts {
		if x.ContentType == ctype {
			return x
		}
	}
	t.Fatalf("no %s part; layout %s", ctype, p.Layout)
	return part{}
}

// parseICS parses a calendar file with go-ical (independent of the writer).
func parseICS(t tb, b []byte) *goical.Calendar {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot parse the calendar: %v\n%s", err, b)
	}
	return cal
}

func decode(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &stripCRLF{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// stripCRLF drops line breaks, which base64 bodies have every 76 characters.
type stripCRLF struct{ r io.Reader }

func (s *stripCRLF) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, b := range p[:n] {
		if b != '\r' && b != '\n' {
			p[j] = b
			j++
		}
	}
	return j, err
}

// fixedClock stands still until moved (an admit.Clock).
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFixedClock(t time.Time) *fixedClock { return &fixedClock{t: t} }

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fixedClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *fixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

package bbb_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/bbb"
	"github.com/admit-project/admit/bbb/bbbtest"
)

// The example of BigBlueButton's API documentation, with the digests of
// sha1sum, sha256sum, sha384sum and sha512sum.
var checksumTests = []struct {
	alg, want string
}{
	{"sha1", "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"},
	{"sha256", "da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e"},
	{"sha384", "891ac633df39d0a1b4f8d597f3e190833216c4b29c4fb51ea3ca72757eeb958d6e7b49a845cf29f5c6019c7d29d029d1"},
	{"sha512", "de73ad61d11a5c801b68d4bd6ec5248546085cefb0b25c85f3c46249ea93a3a4b120f92c0a8a58d7512cb77821884951a3b01245f3435dbbef49fff3cc3988b4"},
}

func TestChecksum(t *testing.T) {
	for _, tt := range checksumTests {
		got := bbb.Checksum(tt.alg, "create", "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444", "639259d4-9dd8-4b25-bf01-95f9567eaf4b")
		if got != tt.want {
			t.Errorf("%s: %s, want %s", tt.alg, got, tt.want)
		}
	}
}

const secret = "8cd8ef52e8e101574e400365b55e11a6"

func newBackend(t *testing.T, api, alg string) *bbb.Backend {
	t.Helper()
	b, err := bbb.New(admit.BigBlueButtonConfig{APIURL: api, Secret: secret, Checksum: alg}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// noRedirect is a client that stops at the join call's redirect.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func open(t *testing.T, u string) int {
	t.Helper()
	res, err := noRedirect.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestJoinFlow starts a room as host, admits a viewer, reads presence and
// ends the room on the fake server, for each checksum algorithm.
func TestJoinFlow(t *testing.T) {
	for _, alg := range []string{"", "sha1", "sha256", "sha384", "sha512"} {
		t.Run("alg="+alg, func(t *testing.T) {
			fake := bbbtest.Start(t, secret)
			b := newBackend(t, fake.URL, alg)
			ctx := context.Background()
			room := admit.MediaRoom{Name: admit.MediaRoomName("mbbb", 1), Title: "Weekly"}

			host, err := b.Start(ctx, room, admit.MediaParticipant{Identity: "uhost", Name: "Host"}, 0)
			if err != nil {
				t.Fatal(err)
			}
			m := fake.Meeting(room.Name)
			if m == nil || m.Name != "Weekly" {
				t.Fatalf("meeting after Start: %+v", m)
			}
			hu, _ := url.Parse(host.JoinURL)
			if hu.Query().Get("role") != "MODERATOR" || hu.Query().Get("createTime") == "" || host.Backend != admit.MediaBigBlueButton {
				t.Errorf("host join URL %s", host.JoinURL)
			}
			wantLen := map[string]int{"": 64, "sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128}[alg]
			if n := len(hu.Query().Get("checksum")); n != wantLen {
				t.Errorf("checksum of %d hex digits, want %d", n, wantLen)
			}
			if code := open(t, host.JoinURL); code != http.StatusFound {
				t.Fatalf("host join: %d", code)
			}

			g, err := b.Grant(ctx, room, admit.MediaParticipant{Identity: "pada", Name: "Ada (2)"}, 0)
			if err != nil {
				t.Fatal(err)
			}
			gu, _ := url.Parse(g.JoinURL)
			if gu.Query().Get("role") != "VIEWER" || gu.Query().Get("fullName") != "Ada (2)" || gu.Query().Get("userID") != "pada" {
				t.Errorf("viewer join URL %s", g.JoinURL)
			}
			if code := open(t, g.JoinURL); code != http.StatusFound {
				t.Fatalf("viewer join: %d", code)
			}
			m = fake.Meeting(room.Name)
			if m.Attendees["uhost"].Role != "MODERATOR" || m.Attendees["pada"].Role != "VIEWER" {
				t.Errorf("attendees %+v", m.Attendees)
			}
			ps, err := b.Presence(ctx, room.Name)
			if err != nil || len(ps) != 2 {
				t.Errorf("presence %+v, %v", ps, err)
			}

			if err := b.End(ctx, room.Name); err != nil {
				t.Fatal(err)
			}
			if fake.Meeting(room.Name) != nil {
				t.Error("meeting still running after End")
			}
			if err := b.End(ctx, room.Name); err != nil {
				t.Errorf("ending an ended meeting: %v", err)
			}
			if ps, err := b.Presence(ctx, room.Name); err != nil || len(ps) != 0 {
				t.Errorf("presence after End %+v, %v", ps, err)
			}
			for _, c := range fake.Calls() {
				if c.Refused == "checksumError" {
					t.Errorf("call %s refused for its checksum", c.Name)
				}
			}
		})
	}
}

// TestOldJoinURLRefused: a join URL for an instance of the meeting that has
// ended does not open the next instance with the same meeting ID.
func TestOldJoinURLRefused(t *testing.T) {
	fake := bbbtest.Start(t, secret)
	b := newBackend(t, fake.URL, "")
	ctx := context.Background()
	room := admit.MediaRoom{Name: "mold-1"}
	g, err := b.Grant(ctx, room, admit.MediaParticipant{Identity: "p1", Name: "P"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.End(ctx, room.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Start(ctx, room, admit.MediaParticipant{Identity: "h", Name: "H"}, 0); err != nil {
		t.Fatal(err)
	}
	if code := open(t, g.JoinURL); code == http.StatusFound {
		t.Fatal("an old join URL opened the new meeting")
	}
	calls := fake.Calls()
	if last := calls[len(calls)-1]; last.Refused != "mismatchCreateTimeParam" {
		t.Errorf("last call %+v, want refused mismatchCreateTimeParam", last)
	}
}

// TestChecksumRefused: a wrong secret, a tampered URL or an algorithm the
// server does not support are refused, and admit's error says what to check.
func TestChecksumRefused(t *testing.T) {
	fake := bbbtest.Start(t, secret, "sha256", "sha512")
	ctx := context.Background()
	room := admit.MediaRoom{Name: "mck-1"}

	wrong, err := bbb.New(admit.BigBlueButtonConfig{APIURL: fake.URL, Secret: strings.Repeat("x", 32)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = wrong.Start(ctx, room, admit.MediaParticipant{Identity: "h", Name: "H"}, 0)
	if admit.ErrorCode(err) != admit.EMEDIA || !strings.Contains(admit.ErrorMessage(err), "checksum") {
		t.Errorf("wrong secret: %v", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Error("the error carries the secret")
	}

	_, err = newBackend(t, fake.URL, "sha1").Start(ctx, room, admit.MediaParticipant{Identity: "h", Name: "H"}, 0)
	if admit.ErrorCode(err) != admit.EMEDIA {
		t.Errorf("unsupported algorithm: %v", err)
	}

	b := newBackend(t, fake.URL, "")
	g, err := b.Grant(ctx, room, admit.MediaParticipant{Identity: "p", Name: "Viewer"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	promoted := strings.Replace(g.JoinURL, "role=VIEWER", "role=MODERATOR", 1)
	if code := open(t, promoted); code == http.StatusFound {
		t.Fatal("a viewer's join URL edited to MODERATOR was accepted")
	}
	if code := open(t, g.JoinURL); code != http.StatusFound {
		t.Fatalf("the untouched join URL: %d", code)
	}
}

func TestRemoveUnsupported(t *testing.T) {
	b := newBackend(t, "https://bbb.example.org/bigbluebutton/api", "")
	if err := b.Remove(context.Background(), "m-1", "p"); admit.ErrorCode(err) != admit.EUNSUPPORTED {
		t.Errorf("Remove: %v", err)
	}
}

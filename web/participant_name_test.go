package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// TestParticipantToldTheirName: the participant reads the name they join
// under and why: their invitation's (also when they typed another with
// its passcode), numbered when the invitation was used already, the one
// they gave, or Guest when they gave none.
func TestParticipantToldTheirName(t *testing.T) {
	f := mustJoinFixture(t, nil)
	unique := admit.PasscodeUnique
	m := f.mustMeeting(t, t0.Add(5*time.Minute), &admit.SecurityInput{Passcode: &unique}, "Grace Hopper")
	shared := f.mustMeeting(t, t0.Add(5*time.Minute), nil)
	u, err := url.Parse(m.Invitees[0].Link)
	if err != nil {
		t.Fatal(err)
	}
	f.get(t, u.Path).want(t, 200, `id="join-as">You join as <strong>Grace Hopper</strong>, the name on your invitation.`)
	f.get(t, f.post(t, u.Path, url.Values{}).location(t)).want(t, 200,
		`id="join-name">You joined as <strong>Grace Hopper</strong>, the name on your invitation.`)

	// Her passcode with another name typed: still hers, numbered, and why.
	f.get(t, "/j/"+m.MeetingID).want(t, 200, `id="name-hint"`, "you join under the name on that invitation instead")
	loc := f.post(t, "/j/"+m.MeetingID, url.Values{"passcode": {m.Invitees[0].Passcode}, "name": {"Mallory"}}).location(t)
	p := f.get(t, loc).want(t, 200, `You joined as <strong>Grace Hopper (2)</strong>: you came with Grace Hopper&#39;s invitation, which someone used already, and the host sees that.`)
	if strings.Contains(p.body, "Mallory") {
		t.Errorf("the page shows the typed name, which the meeting does not use")
	}

	pid := f.mustJoinMeeting(t, shared, "Alan Turing")
	f.get(t, "/p/"+pid).want(t, 200, `You joined as <strong>Alan Turing</strong>, the name you gave.`)
	pid = f.mustJoinMeeting(t, shared, "")
	f.get(t, "/p/"+pid).want(t, 200, `You joined as <strong>Guest</strong>, since you gave no name.`)
}

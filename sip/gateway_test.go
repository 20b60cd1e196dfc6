package sip

import (
	"testing"
	"time"

	"github.com/admit-project/admit"
)

const (
	accessCode = "246813579"   // a meeting's access code (9 digits)
	meetingID  = "13572468013" // a meeting ID (11 digits)
	passcode   = "4321"
)

func meetings() map[string]fakeMeeting {
	return map[string]fakeMeeting{
		accessCode: {passcode: passcode},
		meetingID:  {passcode: passcode},
	}
}

// TestAdmittedAndBridged: the access code then the passcode, as RFC 4733
// events; the caller hears the menu, is bridged with the room and token in
// the INVITE's headers, and their hang-up ends their attendance.
func TestAdmittedAndBridged(t *testing.T) {
	t.Parallel()
	sipp := needSIPp(t, true)
	f := newFakeAdmitter(meetings())
	bridge, uri := conference(t, sipp, &bridgeScenario{Room: accessCode, Token: fakeToken(accessCode), Jitsi: true}, 1)
	_, port := testGateway(t, f, func(c *Config) { c.BridgeURI, c.Jitsi = uri, true })
	rec := newRecorder(t)
	s := newCaller("PCMU", rec.port()).
		pause(playTime(t, PromptWelcome, PromptEnterID)).rtp(accessCode + "#").
		pause(playTime(t, PromptEnterPasscode)).rtp(passcode + "#").
		pause(int(DecisionTime/time.Millisecond) + playTime(t, PromptJoining) + 1500).bye()
	dial(t, sipp, s, port).wait(t, 60*time.Second)
	bridge.wait(t, 20*time.Second)
	samePrompts(t, "the caller", heard(t, rec.stream(0), false), []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptJoining})
	reqs := f.joinRequests()
	if len(reqs) != 1 || reqs[0].AccessCode != accessCode || reqs[0].Passcode != passcode || reqs[0].Channel != admit.ChannelPhone || reqs[0].Source != "+15557654321" {
		t.Errorf("joins = %+v, want one with the access code, passcode, channel phone and the caller's number", reqs)
	}
	eventually(t, "the caller's attendance ends", func() bool { return f.leaveCount() == 1 })
}

package sip

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
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

// decisionPause is the time from an entry's end to its answer's prompt.
const decisionPause = int(DecisionTime/time.Millisecond) + 300

// refusedThrice is a caller entering entry with a wrong passcode three
// times, as SIP INFO.
func refusedThrice(t *testing.T, entry string, mediaPort int) *callerScenario {
	return refusedThriceWith(t, entry, "9999", mediaPort)
}

// refusedThriceWith is refusedThrice with the passcode given.
func refusedThriceWith(t *testing.T, entry, pass string, mediaPort int) *callerScenario {
	s := newCaller("PCMU", mediaPort).pause(playTime(t, PromptWelcome, PromptEnterID))
	for i := 0; i < MaxTries; i++ {
		if i > 0 {
			s.pause(decisionPause + playTime(t, PromptRefused, PromptEnterID))
		}
		s.info(entry + "#").pause(playTime(t, PromptEnterPasscode)).info(pass + "#")
	}
	return s.expectBye(20000)
}

// TestRefusals: a wrong passcode three times hears the refusal three times
// and is hung up; an unknown meeting ID hears exactly the same prompts.
func TestRefusals(t *testing.T) {
	t.Parallel()
	sipp := needSIPp(t, false)
	f := newFakeAdmitter(meetings())
	_, port := testGateway(t, f, nil)
	known, unknown := newRecorder(t), newRecorder(t)
	a := dial(t, sipp, refusedThrice(t, meetingID, known.port()), port)
	b := dial(t, sipp, refusedThrice(t, "97531864200", unknown.port()), port)
	a.wait(t, 90*time.Second)
	b.wait(t, 90*time.Second)
	want := []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptRefused, PromptEnterID, PromptEnterPasscode,
		PromptRefused, PromptEnterID, PromptEnterPasscode, PromptRefused, PromptGoodbye}
	samePrompts(t, "a caller with a wrong passcode", heard(t, known.stream(0), false), want)
	samePrompts(t, "a caller with an unknown meeting ID", heard(t, unknown.stream(0), false), want)
	if n := f.joinCount(); n != 2*MaxTries {
		t.Errorf("%d attempts decided, want %d", n, 2*MaxTries)
	}
}

// TestPoundAloneNeverAdmits: `#` alone, as the meeting ID or as the
// passcode of a meeting that has one, is refused like any wrong entry.
func TestPoundAloneNeverAdmits(t *testing.T) {
	t.Parallel()
	sipp := needSIPp(t, true)
	f := newFakeAdmitter(meetings())
	_, port := testGateway(t, f, nil)
	rec := newRecorder(t)
	s := newCaller("PCMU", rec.port()).
		pause(playTime(t, PromptWelcome, PromptEnterID)).rtp("#").
		pause(playTime(t, PromptEnterPasscode)).rtp("#").
		pause(decisionPause + playTime(t, PromptRefused, PromptEnterID)).info(meetingID + "#").
		pause(playTime(t, PromptEnterPasscode)).rtp("#").
		pause(decisionPause + playTime(t, PromptRefused, PromptEnterID)).info("#").
		pause(playTime(t, PromptEnterPasscode)).info(passcode + "#").
		expectBye(20000)
	dial(t, sipp, s, port).wait(t, 90*time.Second)
	samePrompts(t, "the caller", heard(t, rec.stream(0), false), []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode,
		PromptRefused, PromptEnterID, PromptEnterPasscode, PromptRefused, PromptEnterID, PromptEnterPasscode, PromptRefused, PromptGoodbye})
	reqs := f.joinRequests()
	if len(reqs) != MaxTries {
		t.Fatalf("%d attempts decided, want %d (every entry, even an empty one, is recorded)", len(reqs), MaxTries)
	}
	if reqs[1].MeetingID != meetingID || reqs[1].Passcode != "" {
		t.Errorf("second attempt = %+v, want the meeting ID with an empty passcode", reqs[1])
	}
	if f.n != 0 {
		t.Errorf("%d participants joined, want none", f.n)
	}
}

// TestWaitingThenAdmitted: an A-law caller waits, the host admits them, and
// they are bridged; their audio reaches the conference (as mu-law).
func TestWaitingThenAdmitted(t *testing.T) {
	t.Parallel()
	sipp := needSIPp(t, true)
	f := newFakeAdmitter(map[string]fakeMeeting{meetingID: {passcode: passcode, waiting: true}})
	conf := newRecorder(t)
	bridge, uri := conference(t, sipp, &bridgeScenario{Room: meetingID, Token: fakeToken(meetingID), MediaPort: conf.port()}, 1)
	_, port := testGateway(t, f, func(c *Config) { c.BridgeURI = uri })
	rec := newRecorder(t)
	const hold = 3500 // ms the host takes
	s := newCaller("PCMA", rec.port()).
		pause(playTime(t, PromptWelcome, PromptEnterID)).info(meetingID + "#").
		pause(playTime(t, PromptEnterPasscode)).info(passcode + "#").
		pause(decisionPause + hold + playTime(t, PromptJoining) + 1000).
		pcap(pcapDir + "/g711a.pcap").pause(7500).bye()
	caller := dial(t, sipp, s, port)
	select {
	case pid := <-f.joined:
		time.Sleep(hold * time.Millisecond)
		f.admit(pid)
	case <-time.After(60 * time.Second):
		t.Fatal("the caller did not join")
	}
	caller.wait(t, 90*time.Second)
	bridge.wait(t, 20*time.Second)
	samePrompts(t, "the caller", heard(t, rec.stream(8), true), []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptWait, PromptJoining})
	// The caller's audio reaches the conference, as mu-law: most of the
	// pcap's frames, transcoded, are in what the conference got. (SIPp
	// frames the pcap's audio again, so runs longer than a frame are not
	// compared.)
	frames, err := pcapPayloads(pcapDir + "/g711a.pcap")
	if err != nil {
		t.Fatal(err)
	}
	got, found := conf.stream(0), 0
	for _, fr := range frames {
		if bytes.Contains(got, transcode(fr, true, false)) {
			found++
		}
	}
	if found*2 < len(frames) {
		t.Errorf("the conference got %d of the caller's %d frames (as mu-law), want at least half", found, len(frames))
	}
	eventually(t, "the caller's attendance ends", func() bool { return f.leaveCount() == 1 })
}

// TestRemovedCallEnds: the host removes a bridged caller; the caller hears
// it and the call ends, on both legs.
func TestRemovedCallEnds(t *testing.T) {
	t.Parallel()
	sipp := needSIPp(t, true)
	f := newFakeAdmitter(meetings())
	bridge, uri := conference(t, sipp, &bridgeScenario{Room: meetingID, Token: fakeToken(meetingID)}, 1)
	_, port := testGateway(t, f, func(c *Config) { c.BridgeURI = uri })
	rec := newRecorder(t)
	s := newCaller("PCMU", rec.port()).
		pause(playTime(t, PromptWelcome, PromptEnterID)).rtp(meetingID + "#").
		pause(playTime(t, PromptEnterPasscode)).rtp(passcode + "#").
		expectBye(30000)
	caller := dial(t, sipp, s, port)
	select {
	case pid := <-f.joined:
		time.Sleep(DecisionTime + time.Duration(playTime(t, PromptJoining)+1500)*time.Millisecond)
		f.tell(pid, admit.PhoneEvent{Status: admit.StatusRemoved})
	case <-time.After(60 * time.Second):
		t.Fatal("the caller did not join")
	}
	caller.wait(t, 60*time.Second)
	bridge.wait(t, 20*time.Second)
	samePrompts(t, "the caller", heard(t, rec.stream(0), false), []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptJoining, PromptRemoved})
	if n := f.leaveCount(); n != 0 {
		t.Errorf("%d attendances ended by the gateway, want none (the host's removal ended it)", n)
	}
}

// TestNotATrunk: a call from a source that is no trunk gets 403.
func TestNotATrunk(t *testing.T) {
	t.Parallel()
	sipp := needSIPp(t, false)
	f := newFakeAdmitter(meetings())
	_, port := testGateway(t, f, func(c *Config) {
		c.Trunks = []admit.Trunk{{Name: "elsewhere", Sources: []string{"192.0.2.0/24"}}}
	})
	s := newCaller("PCMU", 0)
	s.Refused = 403
	dial(t, sipp, s, port).wait(t, 30*time.Second)
	if n := f.joinCount(); n != 0 {
		t.Errorf("%d attempts decided, want none", n)
	}
}

// TestConcurrentCallers: 50 callers at once are each admitted, bridged and
// let go.
func TestConcurrentCallers(t *testing.T) {
	t.Parallel()
	sipp := needSIPp(t, false)
	const calls = 50
	f := newFakeAdmitter(meetings())
	bridge, uri := conference(t, sipp, &bridgeScenario{Room: accessCode, Token: fakeToken(accessCode)}, calls)
	g, port := testGateway(t, f, func(c *Config) { c.BridgeURI = uri })
	s := newCaller("PCMU", 0).
		pause(playTime(t, PromptWelcome, PromptEnterID)).info(accessCode + "#").
		pause(playTime(t, PromptEnterPasscode)).info(passcode + "#").
		pause(decisionPause + playTime(t, PromptJoining) + 3000).bye()
	dial(t, sipp, s, port, "-m", fmt.Sprint(calls), "-l", fmt.Sprint(calls), "-r", "25").wait(t, 120*time.Second)
	bridge.wait(t, 30*time.Second)
	if n := f.joinCount(); n != calls {
		t.Errorf("%d attempts decided, want %d", n, calls)
	}
	eventually(t, "every attendance ends", func() bool { return f.leaveCount() == calls })
	eventually(t, "every call ends", func() bool { return g.Calls() == 0 })
}

// TestReadmeOneLiner: the README's SIPp one-liner (SIPp's built-in uac
// scenario) is answered, and the call ends cleanly when SIPp hangs up.
func TestReadmeOneLiner(t *testing.T) {
	t.Parallel()
	sipp := needSIPp(t, false)
	_, port := testGateway(t, newFakeAdmitter(meetings()), nil)
	dir := t.TempDir()
	r := &sippRun{name: "uac", done: make(chan struct{}), dir: dir}
	r.cmd = exec.Command(sipp, "-sn", "uac", "-s", "15550001111", "-m", "1", "-d", "3000", "-i", "127.0.0.1",
		"-p", strconv.Itoa(freePort(t)), "-mp", strconv.Itoa(freeMediaPort(t)), "-nostdin", "-timeout", "30s", "-timeout_error",
		"127.0.0.1:"+strconv.Itoa(port))
	r.cmd.Dir = dir
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	r.cmd.WaitDelay = 2 * time.Second
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.err = r.cmd.Wait(); close(r.done) }()
	r.wait(t, 40*time.Second)
}

// TestNotOpenAndEnded: valid credentials outside the window hear when the
// meeting opens (clips joined), or that it has ended, and are hung up.
func TestNotOpenAndEnded(t *testing.T) {
	t.Parallel()
	sipp := needSIPp(t, false)
	const later, over = "24680135790", "35791246800"
	f := newFakeAdmitter(map[string]fakeMeeting{
		later: {passcode: passcode, opensAt: time.Date(2026, 12, 3, 14, 5, 0, 0, time.UTC)},
		over:  {passcode: passcode, ended: true},
	})
	_, port := testGateway(t, f, nil)
	caller := func(entry string, rec *recorder) *sippRun {
		s := newCaller("PCMU", rec.port()).
			pause(playTime(t, PromptWelcome, PromptEnterID)).info(entry + "#").
			pause(playTime(t, PromptEnterPasscode)).info(passcode + "#").
			expectBye(30000)
		return dial(t, sipp, s, port)
	}
	recLater, recOver := newRecorder(t), newRecorder(t)
	a, b := caller(later, recLater), caller(over, recOver)
	a.wait(t, 60*time.Second)
	b.wait(t, 60*time.Second)
	samePrompts(t, "a caller before the window", heard(t, recLater.stream(0), false), []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode,
		PromptNotOpen, "m12", "n3", PromptAt, "n14", PromptOh, "n5", PromptUTC, PromptGoodbye})
	samePrompts(t, "a caller after the end", heard(t, recOver.stream(0), false), []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptEnded})
}

// TestCalledNumberSelectsAccount: where the dial-in numbers belong to
// accounts, the called number selects the account. A caller of account 1's
// number who gives the right meeting ID and passcode of account 2's meeting
// hears exactly what a caller of account 2's number with a wrong passcode
// hears; a caller of account 2's number with the same entries is admitted;
// a call to a number that is not listed is answered 404.
func TestCalledNumberSelectsAccount(t *testing.T) {
	t.Parallel()
	sipp := needSIPp(t, false)
	ms := meetings()
	ms[meetingID] = fakeMeeting{passcode: passcode, account: 2}
	f := newFakeAdmitter(ms)
	_, port := testGateway(t, f, func(c *Config) {
		c.DialIn = []admit.DialInNumber{
			{Number: "+15550001111", Country: "US", AccountID: 1},
			{Number: "+15550002222", Country: "US", TollFree: true, AccountID: 2},
		}
	})
	otherAccount, wrongPasscode := newRecorder(t), newRecorder(t)
	a := refusedThriceWith(t, meetingID, passcode, otherAccount.port()) // calls 15550001111
	b := refusedThriceWith(t, meetingID, "9999", wrongPasscode.port())
	b.Called = "+15550002222"
	ra, rb := dial(t, sipp, a, port), dial(t, sipp, b, port)
	ra.wait(t, 90*time.Second)
	rb.wait(t, 90*time.Second)
	want := []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptRefused, PromptEnterID, PromptEnterPasscode,
		PromptRefused, PromptEnterID, PromptEnterPasscode, PromptRefused, PromptGoodbye}
	samePrompts(t, "a caller of another account's number", heard(t, otherAccount.stream(0), false), want)
	samePrompts(t, "a caller with a wrong passcode", heard(t, wrongPasscode.stream(0), false), want)

	accounts := map[int64]int{}
	for _, r := range f.joinRequests() {
		accounts[r.AccountID]++
	}
	if accounts[1] != MaxTries || accounts[2] != MaxTries {
		t.Errorf("attempts by account %v, want %d for each of 1 and 2", accounts, MaxTries)
	}

	rec := newRecorder(t)
	ok := newCaller("PCMU", rec.port()).
		pause(playTime(t, PromptWelcome, PromptEnterID)).info(meetingID + "#").
		pause(playTime(t, PromptEnterPasscode)).info(passcode + "#").
		pause(decisionPause + playTime(t, PromptJoining)).bye()
	ok.Called = "15550002222" // as a trunk may pass it, without +
	dial(t, sipp, ok, port).wait(t, 60*time.Second)
	heardOK := heard(t, rec.stream(0), false)
	if len(heardOK) < 4 || heardOK[3] != PromptJoining {
		t.Errorf("a caller of the meeting's account's number heard %v, want to be joining", heardOK)
	}

	unlisted := newCaller("PCMU", 0)
	unlisted.Called, unlisted.Refused = "15559990000", 404
	n := f.joinCount()
	dial(t, sipp, unlisted, port).wait(t, 30*time.Second)
	if f.joinCount() != n {
		t.Error("a call to a number not listed was decided")
	}
}

// TestTransferWithRefer: a trunk that allows REFER (SIPp as the trunk)
// gets, once the caller is admitted, a REFER to the conference with the
// room and the admission token in the Refer-To URI's headers; it answers
// 202 and a NOTIFY 200, and admit hangs up its leg without ending the
// participant's attendance. No conference call is made by admit.
func TestTransferWithRefer(t *testing.T) {
	t.Parallel()
	sipp := needSIPp(t, false)
	f := newFakeAdmitter(meetings())
	_, port := testGateway(t, f, func(c *Config) {
		c.BridgeURI = "sip:{room}@bridge.invalid"
		c.Trunks[0].Refer = true
	})
	rec := newRecorder(t)
	s := newCaller("PCMU", rec.port()).
		pause(playTime(t, PromptWelcome, PromptEnterID)).info(accessCode+"#").
		pause(playTime(t, PromptEnterPasscode)).info(passcode+"#").
		expectRefer(accessCode, fakeToken(accessCode), false).
		expectBye(10000)
	dial(t, sipp, s, port).wait(t, 60*time.Second)
	samePrompts(t, "the transferred caller", heard(t, rec.stream(0), false), []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptJoining})
	if n := f.leaveCount(); n != 0 {
		t.Errorf("%d leaves after a transfer, want none: the participant is in the meeting", n)
	}
}

// TestTransferDeclinedRelays: when the trunk declines the REFER (603), the
// caller is bridged by relaying, as without REFER.
func TestTransferDeclinedRelays(t *testing.T) {
	t.Parallel()
	sipp := needSIPp(t, false)
	f := newFakeAdmitter(meetings())
	bridge, uri := conference(t, sipp, &bridgeScenario{Room: accessCode, Token: fakeToken(accessCode)}, 1)
	_, port := testGateway(t, f, func(c *Config) {
		c.BridgeURI = uri
		c.Trunks[0].Refer = true
	})
	rec := newRecorder(t)
	s := newCaller("PCMU", rec.port()).
		pause(playTime(t, PromptWelcome, PromptEnterID)).info(accessCode+"#").
		pause(playTime(t, PromptEnterPasscode)).info(passcode+"#").
		expectRefer(accessCode, fakeToken(accessCode), true).
		pause(1500).bye()
	dial(t, sipp, s, port).wait(t, 60*time.Second)
	bridge.wait(t, 20*time.Second)
	eventually(t, "the caller's attendance ends", func() bool { return f.leaveCount() == 1 })
}

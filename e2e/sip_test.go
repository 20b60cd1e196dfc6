package e2e_test

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/admit-project/admit/sip"
)

// The phone tests call `admit serve --sip` with SIPp (Debian's sip-tester)
// as the caller, keys as SIP INFO, and a second SIPp as the conference
// bridge, filling the scenarios of sip/testdata.

func needSIPp(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("sipp")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sipp is not installed (Debian package sip-tester); CI=true requires it")
		}
		t.Skip("sipp is not installed (Debian package sip-tester)")
	}
	return path
}

// udpTCPPort returns a port free for UDP and TCP on 127.0.0.1.
func udpTCPPort(t *testing.T) string {
	t.Helper()
	for i := 0; i < 50; i++ {
		u, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		port := strconv.Itoa(u.LocalAddr().(*net.UDPAddr).Port)
		l, err := net.Listen("tcp", "127.0.0.1:"+port)
		u.Close()
		if err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return ""
}

// callStep and callScenario fill sip/testdata/caller.xml.
type callStep struct {
	Pause    int
	Stream   string
	RTPKeys  []string
	InfoKeys []struct {
		Key  string
		CSeq int
	}
	ExpectBye int
	Bye       int
	Refer     any // a transfer the trunk expects (sip's tests use it); nil here
}

type callScenario struct {
	Called, Caller, Codec  string
	PT, MediaPort, Refused int
	Steps                  []callStep
	cseq                   int
}

func (c *callScenario) pause(ms int) *callScenario {
	c.Steps = append(c.Steps, callStep{Pause: ms})
	return c
}

func (c *callScenario) keys(k string) *callScenario {
	var st callStep
	for _, r := range k {
		c.cseq++
		st.InfoKeys = append(st.InfoKeys, struct {
			Key  string
			CSeq int
		}{string(r), c.cseq})
	}
	c.Steps = append(c.Steps, st)
	return c
}

// prompts is how long the prompts take to play, and a margin.
func prompts(t *testing.T, ps ...sip.Prompt) int {
	t.Helper()
	n := 0
	for _, p := range ps {
		b, err := sip.Clip(p)
		if err != nil {
			t.Fatal(err)
		}
		n += len(b)
	}
	return n/8 + 400
}

// runSIPp fills a scenario of sip/testdata and starts SIPp on it; the
// returned func waits for SIPp and fails the test when a call failed.
func runSIPp(t *testing.T, sipp, name string, data any, args ...string) func(time.Duration) {
	t.Helper()
	tmpl, err := template.ParseFiles(filepath.Join("..", "sip", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	all := append([]string{"-sf", path, "-i", "127.0.0.1", "-p", udpTCPPort(t), "-mp", udpTCPPort(t), "-nostdin",
		"-timeout", "120s", "-timeout_error", "-trace_err", "-error_file", filepath.Join(dir, "errors.log")}, args...)
	cmd := exec.Command(sipp, all...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var result error
	finished := false
	t.Cleanup(func() {
		if !finished {
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return func(d time.Duration) {
		t.Helper()
		select {
		case result = <-done:
			finished = true
		case <-time.After(d):
			errs, _ := os.ReadFile(filepath.Join(dir, "errors.log"))
			t.Errorf("%s: sipp did not end within %v\n%s", name, d, tailOf(string(errs)))
			return
		}
		if result != nil {
			errs, _ := os.ReadFile(filepath.Join(dir, "errors.log"))
			t.Errorf("%s: sipp: %v\n%s\n%s", name, result, tailOf(out.String()), tailOf(string(errs)))
		}
	}
}

func tailOf(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// waitingCaller polls the roster until a caller waits, and returns their
// participant ID.
func waitingCaller(t *testing.T, s *server, tok, mid string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		r := s.do("GET", "/api/v1/meetings/"+mid+"/participants", tok, nil).must(t, 200)
		if w, _ := r.body["waiting"].([]any); len(w) > 0 {
			return w[0].(map[string]any)["id"].(string)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no caller waited within 60 s")
	return ""
}

// TestDialIn: a caller dials `admit serve --sip`, enters the meeting ID and
// the phone passcode, waits; the host admits them through the API and they
// are bridged to the conference with the room and token; their hang-up ends
// their attendance. A second caller is removed by the host and their call
// ends.
func TestDialIn(t *testing.T) {
	sipp := needSIPp(t)
	bridgePort := udpTCPPort(t)
	sipPort := udpTCPPort(t)
	s := startServer(t, "", "--sip", "127.0.0.1:"+sipPort, "--sip-trunk", "test=127.0.0.1",
		"--sip-bridge", "sip:{room}@127.0.0.1:"+bridgePort, "--sip-jitsi",
		"--dial-in", "+15551234567:US:toll-free", "--dial-in", "+442079460000:GB")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday, map[string]any{"security": map[string]any{"waiting_room": true}}))
	bridge := struct {
		Room, Token string
		Jitsi       bool
		MediaPort   int
		Timeout     int
	}{Room: m.MeetingID, Token: "[A-Za-z0-9_.-]+", Jitsi: true, Timeout: 90000}
	waitBridge := runSIPp(t, sipp, "bridge.xml", bridge, "-p", bridgePort, "-m", "2")

	const hold = 4000
	call := func(tail func(*callScenario)) *callScenario {
		c := &callScenario{Called: "15550001111", Caller: "+15557654321", Codec: "PCMU", cseq: 1}
		c.pause(prompts(t, sip.PromptWelcome, sip.PromptEnterID)).keys(m.MeetingID + "#").
			pause(prompts(t, sip.PromptEnterPasscode)).keys(m.PhonePass + "#")
		tail(c)
		return c
	}
	// Admitted from the waiting room, bridged, hangs up.
	first := call(func(c *callScenario) {
		c.pause(int(sip.DecisionTime/time.Millisecond) + hold + prompts(t, sip.PromptJoining) + 2000)
		c.cseq++
		c.Steps = append(c.Steps, callStep{Bye: c.cseq})
	})
	waitFirst := runSIPp(t, sipp, "caller.xml", first, "-m", "1", "127.0.0.1:"+sipPort)
	pid := waitingCaller(t, s, tok, m.ID)
	roster := s.do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200)
	if !strings.Contains(string(roster.raw), "Caller ending 4321") || strings.Contains(string(roster.raw), "5557654321") {
		t.Errorf("roster names the caller and masks their number? %s", roster.raw)
	}
	s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+pid+"/admit", tok, nil).must(t, 200)
	waitFirst(60 * time.Second)
	// The host sees the caller by handle (the bearer ID stays with the
	// gateway): their attendance row gets its leaving time.
	deadline := time.Now().Add(10 * time.Second)
	for {
		att := s.do("GET", "/api/v1/meetings/"+m.ID+"/attendance", tok, nil).must(t, 200)
		left := false
		rows, _ := att.body["participants"].([]any)
		for _, r := range rows {
			if r, ok := r.(map[string]any); ok && r["participant_id"] == pid && r["left_at"] != nil {
				left = true
			}
		}
		if left {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after hanging up the caller has not left: %s", att.raw)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Admitted, then removed by the host: the call ends.
	second := call(func(c *callScenario) { c.Steps = append(c.Steps, callStep{ExpectBye: 60000}) })
	waitSecond := runSIPp(t, sipp, "caller.xml", second, "-m", "1", "127.0.0.1:"+sipPort)
	pid2 := waitingCaller(t, s, tok, m.ID)
	s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+pid2+"/admit", tok, nil).must(t, 200)
	time.Sleep(sip.DecisionTime + time.Duration(prompts(t, sip.PromptJoining)+1500)*time.Millisecond)
	s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+pid2+"/remove", tok, nil).must(t, 200)
	waitSecond(60 * time.Second)
	waitBridge(30 * time.Second)

	att := s.do("GET", "/api/v1/meetings/"+m.ID+"/attendance", tok, nil).must(t, 200)
	if rows, _ := att.body["participants"].([]any); len(rows) != 2 {
		t.Errorf("attendance %s, want both callers", att.raw)
	}
}

// TestDialInAccountNumbers: with dial-in numbers of two accounts, the
// meeting's view lists its account's number only, and a caller of the other
// account's number who enters the right meeting ID and phone passcode is
// refused three times and hung up, each attempt recorded as other_account;
// the caller's number shows nowhere in the attempts.
func TestDialInAccountNumbers(t *testing.T) {
	sipp := needSIPp(t)
	sipPort := udpTCPPort(t)
	s := startServer(t, "", "--sip", "127.0.0.1:"+sipPort, "--sip-trunk", "test=127.0.0.1",
		"--dial-in", "+15550001111:US@1", "--dial-in", "+15550002222:US:toll-free@2")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday, nil))
	view := s.do("GET", "/api/v1/meetings/"+m.ID, tok, nil).must(t, 200)
	if !strings.Contains(string(view.raw), `"one_tap":"+15550001111,,`+m.MeetingID+`#`) || strings.Contains(string(view.raw), "15550002222") {
		t.Errorf("meeting view lists %s, want account 1's number only, with its one-tap form", view.raw)
	}

	c := &callScenario{Called: "+15550002222", Caller: "+15557654321", Codec: "PCMU", cseq: 1}
	c.pause(prompts(t, sip.PromptWelcome, sip.PromptEnterID))
	for i := 0; i < sip.MaxTries; i++ {
		if i > 0 {
			c.pause(int(sip.DecisionTime/time.Millisecond) + 300 + prompts(t, sip.PromptRefused, sip.PromptEnterID))
		}
		c.keys(m.MeetingID + "#").pause(prompts(t, sip.PromptEnterPasscode)).keys(m.PhonePass + "#")
	}
	c.Steps = append(c.Steps, callStep{ExpectBye: 20000})
	runSIPp(t, sipp, "caller.xml", c, "-m", "1", "127.0.0.1:"+sipPort)(90 * time.Second)

	atts := s.do("GET", "/api/v1/meetings/"+m.ID+"/attempts", tok, nil).must(t, 200)
	if n := strings.Count(string(atts.raw), `"other_account"`); n != sip.MaxTries {
		t.Errorf("attempts %s: %d of reason other_account, want %d", atts.raw, n, sip.MaxTries)
	}
	if strings.Contains(string(atts.raw), "5557654321") {
		t.Errorf("attempts show the caller's number: %s", atts.raw)
	}
}

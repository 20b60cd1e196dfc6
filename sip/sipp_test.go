package sip

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"log/slog"

	"github.com/admit-project/admit"
	"github.com/emiago/diago/media"
	sipgosip "github.com/emiago/sipgo/sip"
	"github.com/zaf/g711"
)

// The tests below call the gateway with SIPp (Debian's sip-tester) as the
// caller and as the conference bridge. They skip when SIPp is missing,
// except under CI=true, where they fail.

const pcapDir = "/usr/share/sip-tester"

// needSIPp returns SIPp's path, or skips the test (fails it under CI=true).
func needSIPp(t *testing.T, rtpKeys bool) string {
	t.Helper()
	ci := os.Getenv("CI") == "true"
	path, err := exec.LookPath("sipp")
	if err != nil {
		if ci {
			t.Fatal("sipp is not installed (Debian package sip-tester); CI=true requires it")
		}
		t.Skip("sipp is not installed (Debian package sip-tester)")
	}
	if rtpKeys {
		if _, err := os.Stat(filepath.Join(pcapDir, "dtmf_2833_1.pcap")); err != nil {
			if ci {
				t.Fatalf("SIPp's RFC 4733 pcaps are missing: %v", err)
			}
			t.Skipf("SIPp's RFC 4733 pcaps are missing: %v", err)
		}
		if os.Geteuid() != 0 {
			if ci {
				t.Fatal("SIPp plays pcaps only as root")
			}
			t.Skip("SIPp plays pcaps only as root")
		}
	}
	return path
}

// freePort returns a port free for both UDP and TCP on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	for i := 0; i < 50; i++ {
		u, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatalf("listen udp: %v", err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		u.Close()
		if err != nil {
			continue
		}
		l.Close()
		return port
	}
	t.Fatal("no free port")
	return 0
}

// freeMediaPort returns an even UDP port p with p, p+1, p+2 and p+3 free
// (SIPp's media uses them).
func freeMediaPort(t *testing.T) int {
	t.Helper()
	for i := 0; i < 100; i++ {
		u, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatalf("listen udp: %v", err)
		}
		p := u.LocalAddr().(*net.UDPAddr).Port &^ 1
		u.Close()
		ok := true
		for k := 0; k < 4 && ok; k++ {
			c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p + k})
			if err != nil {
				ok = false
			} else {
				c.Close()
			}
		}
		if ok {
			return p
		}
	}
	t.Fatal("no free media ports")
	return 0
}

// testGateway starts a gateway for f on a free port; it stops with the test.
func testGateway(t *testing.T, f admit.PhoneAdmitter, mod func(*Config)) (*Gateway, int) {
	t.Helper()
	var (
		port   int
		g      *Gateway
		cancel context.CancelFunc
	)
	// A port found free may be taken by a parallel test before the gateway
	// binds it: try another then.
	for try := 1; ; try++ {
		port = freePort(t)
		cfg := Config{
			Addr:     "127.0.0.1:" + strconv.Itoa(port),
			Trunks:   []admit.Trunk{{Name: "test", Sources: []string{"127.0.0.1"}}},
			Admitter: f,
		}
		if mod != nil {
			mod(&cfg)
		}
		var err error
		if g, err = New(cfg); err != nil {
			t.Fatalf("New: %v", err)
		}
		var ctx context.Context
		ctx, cancel = context.WithCancel(context.Background())
		err = g.Start(ctx)
		if err == nil {
			break
		}
		cancel()
		if !strings.Contains(err.Error(), "address already in use") || try == 5 {
			t.Fatalf("Start: %v", err)
		}
	}
	t.Cleanup(func() {
		cancel()
		done := make(chan struct{})
		go func() { g.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("calls did not end within 10 s of the gateway's stop")
		}
	})
	return g, port
}

// recorder keeps the RTP packets sent to it.
type recorder struct {
	conn *net.UDPConn
	mu   sync.Mutex
	pkts []rtpPacket
}

type rtpPacket struct {
	pt      uint8
	payload []byte
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("recorder: %v", err)
	}
	r := &recorder{conn: conn}
	go func() {
		buf := make([]byte, 2048)
		for {
			n, _, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if p, ok := parseRTP(buf[:n]); ok {
				r.mu.Lock()
				r.pkts = append(r.pkts, p)
				r.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return r
}

func parseRTP(b []byte) (rtpPacket, bool) {
	if len(b) < 12 || b[0]>>6 != 2 {
		return rtpPacket{}, false
	}
	off := 12 + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 {
		if len(b) < off+4 {
			return rtpPacket{}, false
		}
		off += 4 + 4*int(binary.BigEndian.Uint16(b[off+2:]))
	}
	if len(b) < off {
		return rtpPacket{}, false
	}
	return rtpPacket{pt: b[1] & 0x7f, payload: append([]byte(nil), b[off:]...)}, true
}

func (r *recorder) port() int { return r.conn.LocalAddr().(*net.UDPAddr).Port }

// stream is the payloads of type pt, joined.
func (r *recorder) stream(pt uint8) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b []byte
	for _, p := range r.pkts {
		if p.pt == pt {
			b = append(b, p.payload...)
		}
	}
	return b
}

// heard decodes a stream of prompts: the recorded clips it holds, in order,
// each known by its first 0.2 s.
func heard(t *testing.T, stream []byte, alaw bool) []Prompt {
	t.Helper()
	type hit struct {
		at int
		p  Prompt
	}
	var hits []hit
	for _, p := range Prompts() {
		clip, err := Clip(p)
		if err != nil {
			t.Fatal(err)
		}
		if alaw {
			clip = g711.Ulaw2Alaw(clip)
		}
		// The first 0.2 s of a clip names it, whatever happens later
		// (a lost packet, a key that stops it).
		clip = clip[:min(len(clip), 1600)]
		for at := 0; ; {
			i := bytes.Index(stream[at:], clip)
			if i < 0 {
				break
			}
			hits = append(hits, hit{at + i, p})
			at += i + len(clip)
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
	var ps []Prompt
	for _, h := range hits {
		ps = append(ps, h.p)
	}
	return ps
}

// playTime is how long ps take to play, and a margin.
func playTime(t *testing.T, ps ...Prompt) int {
	t.Helper()
	n := 0
	for _, p := range ps {
		b, err := Clip(p)
		if err != nil {
			t.Fatal(err)
		}
		n += len(b)
	}
	return n/8 + 400
}

// callerScenario fills testdata/caller.xml.
type callerScenario struct {
	Called, Caller string
	Codec          string // PCMU or PCMA
	PT             int
	MediaPort      int // the recorder, or 0 for SIPp's own media port
	Refused        int // the final response expected instead of 200
	Steps          []callerStep
	cseq           int
}

type callerStep struct {
	Pause     int
	Stream    string
	RTPKeys   []string
	InfoKeys  []infoKey
	ExpectBye int // ms to wait for admit's BYE
	Refer     *referStep
	Bye       int // CSeq of the caller's BYE
}

// referStep is the trunk's side of a transfer: it expects admit's REFER to
// the conference (room and token in the Refer-To URI's headers), answers
// 202 and a NOTIFY that the conference answered, or declines it (603).
type referStep struct {
	Timeout     int // ms
	Room, Token string
	Decline     bool
	NotifyCSeq  int
}

func (s *callerScenario) expectRefer(room, token string, decline bool) *callerScenario {
	s.cseq++
	s.Steps = append(s.Steps, callerStep{Refer: &referStep{Timeout: 20000, Room: room, Token: token, Decline: decline, NotifyCSeq: s.cseq}})
	return s
}

type infoKey struct {
	Key  string
	CSeq int
}

func newCaller(codec string, mediaPort int) *callerScenario {
	pt := 0
	if codec == "PCMA" {
		pt = 8
	}
	return &callerScenario{Called: "15550001111", Caller: "+15557654321", Codec: codec, PT: pt, MediaPort: mediaPort, cseq: 1}
}

func (s *callerScenario) pause(ms int) *callerScenario {
	s.Steps = append(s.Steps, callerStep{Pause: ms})
	return s
}

var pcapNames = map[rune]string{'#': "pound", '*': "star"}

// rtp presses keys as RFC 4733 events.
func (s *callerScenario) rtp(keys string) *callerScenario {
	var st callerStep
	for _, k := range keys {
		name, ok := pcapNames[k]
		if !ok {
			name = string(k)
		}
		st.RTPKeys = append(st.RTPKeys, name)
	}
	s.Steps = append(s.Steps, st)
	return s
}

// info presses keys as SIP INFO.
func (s *callerScenario) info(keys string) *callerScenario {
	var st callerStep
	for _, k := range keys {
		s.cseq++
		st.InfoKeys = append(st.InfoKeys, infoKey{Key: string(k), CSeq: s.cseq})
	}
	s.Steps = append(s.Steps, st)
	return s
}

func (s *callerScenario) pcap(file string) *callerScenario {
	s.Steps = append(s.Steps, callerStep{Stream: file})
	return s
}

func (s *callerScenario) expectBye(ms int) *callerScenario {
	s.Steps = append(s.Steps, callerStep{ExpectBye: ms})
	return s
}

func (s *callerScenario) bye() *callerScenario {
	s.cseq++
	s.Steps = append(s.Steps, callerStep{Bye: s.cseq})
	return s
}

// bridgeScenario fills testdata/bridge.xml.
type bridgeScenario struct {
	Room, Token string
	Jitsi       bool
	MediaPort   int
	Timeout     int // ms to wait for the end of the call
}

// writeScenario fills a template of testdata into the test's folder.
func writeScenario(t *testing.T, name string, data any) string {
	t.Helper()
	tmpl, err := template.ParseFiles(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("scenario template: %v", err)
	}
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := tmpl.Execute(f, data); err != nil {
		t.Fatalf("scenario %s: %v", name, err)
	}
	return path
}

// sippRun is a running SIPp.
type sippRun struct {
	name string
	cmd  *exec.Cmd
	out  bytes.Buffer
	done chan struct{} // closed when SIPp has exited, err set
	err  error
	dir  string
}

// startSIPp starts SIPp with a scenario in its own folder; the test stops
// it at the end.
func startSIPp(t *testing.T, sipp, name, scenario string, args ...string) *sippRun {
	t.Helper()
	dir := filepath.Dir(scenario)
	all := append([]string{"-sf", scenario, "-i", "127.0.0.1", "-nostdin", "-trace_err",
		"-error_file", filepath.Join(dir, "errors.log"), "-timeout", "150s", "-timeout_error"}, args...)
	r := &sippRun{name: name, done: make(chan struct{}), dir: dir}
	r.cmd = exec.Command(sipp, all...)
	r.cmd.Dir = dir
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	r.cmd.WaitDelay = 2 * time.Second
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("starting sipp: %v", err)
	}
	go func() { r.err = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
	return r
}

// wait waits for SIPp to end and fails the test, with SIPp's errors, when
// it reports a failed call.
func (r *sippRun) wait(t *testing.T, timeout time.Duration) {
	t.Helper()
	select {
	case <-r.done:
		if err := r.err; err != nil {
			errs, _ := os.ReadFile(filepath.Join(r.dir, "errors.log"))
			t.Errorf("%s: sipp: %v\n%s\nerrors:\n%s", r.name, err, tail(r.out.String(), 3000), tail(string(errs), 3000))
		}
	case <-time.After(timeout):
		_ = r.cmd.Process.Kill()
		<-r.done
		t.Errorf("%s: sipp did not end within %v", r.name, timeout)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// dial starts a caller SIPp with scenario s against the gateway's port.
func dial(t *testing.T, sipp string, s *callerScenario, gwPort int, args ...string) *sippRun {
	t.Helper()
	path := writeScenario(t, "caller.xml", s)
	all := append([]string{"-p", strconv.Itoa(freePort(t)), "-mp", strconv.Itoa(freeMediaPort(t))}, args...)
	if len(args) == 0 {
		all = append(all, "-m", "1")
	}
	all = append(all, "127.0.0.1:"+strconv.Itoa(gwPort))
	return startSIPp(t, sipp, "caller", path, all...)
}

// conference starts a bridge SIPp for calls calls; it returns it and the
// bridge URI template.
func conference(t *testing.T, sipp string, b *bridgeScenario, calls int) (*sippRun, string) {
	t.Helper()
	if b.Timeout == 0 {
		b.Timeout = 60000
	}
	path := writeScenario(t, "bridge.xml", b)
	port := freePort(t)
	r := startSIPp(t, sipp, "bridge", path, "-p", strconv.Itoa(port), "-mp", strconv.Itoa(freeMediaPort(t)), "-m", strconv.Itoa(calls))
	return r, "sip:{room}@127.0.0.1:" + strconv.Itoa(port)
}

func samePrompts(t *testing.T, what string, got, want []Prompt) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s heard\n %v\nwant\n %v", what, got, want)
	}
}

// eventually waits up to 10 s for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Errorf("%s: not within 10 s", what)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var errNoPcap = errors.New("no packets")

// pcapPayloads reads the RTP payloads of a pcap of UDP over Ethernet.
func pcapPayloads(path string) ([][]byte, error) {
	d, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for off := 24; off+16 <= len(d); {
		incl := int(binary.LittleEndian.Uint32(d[off+8:]))
		if off+16+incl > len(d) || incl < 42 {
			break
		}
		if p, ok := parseRTP(d[off+16+42 : off+16+incl]); ok {
			out = append(out, p.payload)
		}
		off += 16 + incl
	}
	if len(out) == 0 {
		return nil, errNoPcap
	}
	return out, nil
}

func TestMain(m *testing.M) {
	// diago's media and sipgo log through package loggers; SIPp's replayed
	// pcaps make them warn of duplicate sequence numbers.
	media.SetDefaultLogger(slog.New(slog.DiscardHandler))
	sipgosip.SetDefaultLogger(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

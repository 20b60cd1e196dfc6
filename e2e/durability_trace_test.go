package e2e_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDurableBeforeAnswer proves, from the system calls of a real run,
// that every admission is durable before its answer leaves: it runs
// `admit serve` (the embedded store) under strace, makes sequential joins,
// and checks in the trace that before each 200 answer is written to its
// socket, every write to the store's WAL file made so far has been followed
// by an fsync or fdatasync of that file. (A kill -9 test cannot show this:
// the page cache survives a killed process. With synchronous=OFF this test
// fails, as no sync follows the WAL writes.) Joins are sequential, so the
// last WAL writes before an answer are its own admission's.
func TestDurableBeforeAnswer(t *testing.T) {
	straceBin, err := exec.LookPath("strace")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and no strace: install it (Debian: strace)")
		}
		t.Skip("strace not installed")
	}
	data := t.TempDir()
	s := startServer(t, data)
	tok := s.host("ada@example.com", "Ada Lovelace")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(10*time.Minute), nil))
	s.stop()

	trace := filepath.Join(t.TempDir(), "trace")
	s = startServerUnder(t, []string{straceBin, "-f", "-s", "4096", "-o", trace,
		"-e", "trace=open,openat,write,writev,pwrite64,fsync,fdatasync"}, data)
	s.setClock(monday)
	var ids []string
	for i := range 12 {
		p := wantAdmitted(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": fmt.Sprintf("Traced %d", i)}), "traced join")
		ids = append(ids, p["id"].(string))
	}
	// End admit (not strace, which would detach and leave it running).
	if kids, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", s.cmd.Process.Pid, s.cmd.Process.Pid)); err == nil {
		for _, f := range strings.Fields(string(kids)) {
			if pid, err := strconv.Atoi(f); err == nil {
				syscall.Kill(pid, syscall.SIGTERM)
			}
		}
	}
	s.stop()

	if os.Getenv("ADMIT_KEEP_TRACE") != "" {
		b, _ := os.ReadFile(trace)
		os.WriteFile(os.Getenv("ADMIT_KEEP_TRACE"), b, 0o600)
	}
	checkTrace(t, trace, ids)
}

var (
	traceOpenWAL = regexp.MustCompile(`open(?:at)?\(.*admit\.db-wal".*\) = (\d+)`)
	traceCall    = regexp.MustCompile(`^\d+\s+(\w+)\((\d+)(.*)\)\s*= (-?\d+)`)
	traceResumed = regexp.MustCompile(`^(\d+)\s+<\.\.\. \w+ resumed>(.*)$`)
)

// checkTrace reads strace's output and checks the order of WAL writes,
// syncs and each participant's answer.
func checkTrace(t *testing.T, path string, ids []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wal := map[string]bool{} // fds of the WAL file
	unsynced := 0            // WAL writes not yet followed by a sync
	writes, syncs := 0, 0
	answered := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	pending := map[string]string{} // pid → a call strace left unfinished
	for sc.Scan() {
		line := sc.Text()
		// strace -f splits a call that another thread's interrupts:
		// "PID write(5, ... <unfinished ...>" then "PID <... write resumed>) = N".
		if head, ok := strings.CutSuffix(line, " <unfinished ...>"); ok {
			pending[strings.Fields(head)[0]] = head
			continue
		}
		if m := traceResumed.FindStringSubmatch(line); m != nil {
			head, ok := pending[m[1]]
			if !ok {
				continue
			}
			delete(pending, m[1])
			line = head + m[2]
		}
		if m := traceOpenWAL.FindStringSubmatch(line); m != nil {
			wal[m[1]] = true
			continue
		}
		m := traceCall.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		call, fd, args, ret := m[1], m[2], m[3], m[4]
		switch {
		case wal[fd] && call == "pwrite64" || wal[fd] && call == "write":
			unsynced++
			writes++
		case wal[fd] && (call == "fsync" || call == "fdatasync") && ret == "0":
			unsynced = 0
			syncs++
		case call == "write" || call == "writev":
			// The participant's bearer ID is written nowhere but in the
			// answer (the store keeps a keyed handle of it), and the
			// answer's body may follow its head in a write of its own.
			for _, id := range ids {
				if strings.Contains(args, id) && !answered[id] {
					answered[id] = true
					if unsynced > 0 {
						t.Errorf("participant %s was answered with %d WAL writes not yet synced", id, unsynced)
					}
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("trace: %d WAL writes, %d WAL syncs, %d of %d answers found", writes, syncs, len(answered), len(ids))
	if len(wal) == 0 || writes == 0 {
		t.Fatal("the trace shows no write to the WAL file: the check proves nothing")
	}
	for _, id := range ids {
		if !answered[id] {
			t.Errorf("participant %s's answer is not in the trace (with strace -s 4096 the answer's head should show it)", id)
		}
	}
}

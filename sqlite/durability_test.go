package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlite"
)

// TestCrashHelper is the child of TestKillNine: it records attempts from
// many goroutines and prints the ID of each one acknowledged, until killed.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv("ADMIT_CRASH_DB")
	if path == "" {
		t.Skip("run by TestKillNine")
	}
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	for range 16 {
		go func() {
			for {
				a := &admit.Attempt{At: time.Now(), MeetingPK: 1, Channel: admit.ChannelWeb, Method: "meeting_id",
					Outcome: admit.OutcomeRefused, Reason: admit.ReasonWrongPasscode}
				if err := db.RecordAttempt(context.Background(), a); err != nil {
					continue
				}
				mu.Lock()
				fmt.Fprintf(out, "%d\n", a.ID)
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	select {}
}

// TestKillNine kills a process that is recording attempts with SIGKILL and
// checks that every attempt it acknowledged is in the database.
func TestKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	path := filepath.Join(t.TempDir(), "admit.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), "ADMIT_CRASH_DB="+path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []int64
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && len(acked) < 2000 {
		id, err := strconv.ParseInt(sc.Text(), 10, 64)
		if err != nil {
			continue
		}
		acked = append(acked, id)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if len(acked) < 2000 {
		t.Fatalf("child acknowledged only %d attempts", len(acked))
	}

	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored, err := db.FindAttempts(context.Background(), 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	have := make(map[int64]bool, len(stored))
	for _, a := range stored {
		have[a.ID] = true
	}
	for _, id := range acked {
		if !have[id] {
			t.Fatalf("acknowledged attempt %d lost (%d stored, %d acknowledged)", id, len(stored), len(acked))
		}
	}
	t.Logf("%d acknowledged, %d stored", len(acked), len(stored))
}

// TestCloseDrains checks that Close commits the writes already queued and
// that every write acknowledged before Close is stored.
func TestCloseDrains(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "admit.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const n = 500
	ids := make(chan int64, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &admit.Attempt{At: time.Now(), MeetingPK: 1, Channel: admit.ChannelWeb, Method: "meeting_id", Outcome: admit.OutcomeRefused}
			if db.RecordAttempt(ctx, a) == nil {
				ids <- a.ID
			}
		}()
	}
	time.Sleep(time.Millisecond)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(ids)

	db, err = sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored, err := db.FindAttempts(ctx, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	have := make(map[int64]bool)
	for _, a := range stored {
		have[a.ID] = true
	}
	acked := 0
	for id := range ids {
		acked++
		if !have[id] {
			t.Errorf("acknowledged attempt %d lost", id)
		}
	}
	if acked != len(stored) {
		t.Errorf("%d acknowledged, %d stored", acked, len(stored))
	}
}

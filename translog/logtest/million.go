package logtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog"
)

// MillionEnv is the variable that, set to 1, has a store's
// TestAuditLogVerifyMillion run: it takes minutes.
const MillionEnv = "ADMIT_AUDIT_1M"

// SkipUnlessMillion skips t unless MillionEnv is set to 1.
func SkipUnlessMillion(t *testing.T) {
	t.Helper()
	if os.Getenv(MillionEnv) != "1" {
		t.Skip("set " + MillionEnv + "=1 to build and verify a 1,000,000-entry log")
	}
}

// VerifyMillion appends 1,000,000 audit entries to the store of h, a
// thousand at a time as the application's writers do, integrates them
// (ten passes of 100,000) and times translog.Verify over the store, as
// `admit audit verify` runs it, against the latest checkpoint; it logs the
// times taken and fails t unless the log verifies. (h.Attacker is not
// used.)
func VerifyMillion(t *testing.T, h Harness) {
	t.Helper()
	const n, batch = 1_000_000, 1000
	ctx := context.Background()
	start := time.Now()
	at := time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC)
	for i := 0; i < n; i += batch {
		events := make([]*admit.Event, batch)
		for j := range events {
			k := i + j
			events[j] = &admit.Event{At: at.Add(time.Duration(k) * time.Millisecond), AccountID: int64(1 + k%3),
				Actor: fmt.Sprintf("participant:p%d", k), Action: "join.refused", Target: fmt.Sprintf("meeting:%d", k%1000),
				Source: "ip:192.0.2.7", Outcome: "failed", Detail: "wrong passcode"}
		}
		if err := h.Append(ctx, events...); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("appended %d entries in %v", n, time.Since(start).Round(time.Second))
	skey, err := translog.GenerateSignerKey(rand.Reader, "admit-audit-test")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := translog.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	in := &translog.Integrator{Store: h.Store, Signer: signer, BatchLimit: 100_000}
	start = time.Now()
	for {
		k, err := in.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			break
		}
	}
	t.Logf("integrated them in %v", time.Since(start).Round(time.Second))
	trusted, ok, err := translog.LatestCheckpoint(ctx, h.Store, signer.Verifier())
	if err != nil || !ok || trusted.Size != n {
		t.Fatalf("latest checkpoint: %+v %v %v", trusted, ok, err)
	}
	start = time.Now()
	rep, err := translog.Verify(ctx, h.Store, translog.VerifyOptions{Verifier: signer.Verifier(), Trusted: &trusted})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Problem != nil || rep.Entries != n {
		t.Fatalf("verify: %+v %v", rep, rep.Problem)
	}
	t.Logf("verified %d entries against %d checkpoints in %v (%.0f entries/s)",
		rep.Entries, rep.Checkpoints, took.Round(time.Millisecond), float64(n)/took.Seconds())
}

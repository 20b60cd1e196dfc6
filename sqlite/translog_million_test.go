package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/admit-project/admit/translog"
	"github.com/admit-project/admit/translog/logtest"
)

// TestAuditLogVerifyMillion builds a store of 1,000,000 audit entries,
// integrates them (ten passes of 100,000) and times translog.Verify over
// the store, as `admit audit verify` runs it (logtest.VerifyMillion). It
// takes minutes to build, so it runs only with ADMIT_AUDIT_1M=1; the
// figure is in docs/performance.md.
func TestAuditLogVerifyMillion(t *testing.T) {
	logtest.SkipUnlessMillion(t)
	path := filepath.Join(t.TempDir(), "admit.db")
	db := mustOpenAudit(t, path)
	defer db.Close()
	logtest.VerifyMillion(t, logtest.Harness{Store: db.AuditLog(), Append: db.AppendEvents})
	fi, _ := os.Stat(path)
	t.Logf("database %d MB", fi.Size()>>20)
}

// mustSkey returns a new checkpoint signing key.
func mustSkey(tb testing.TB) string {
	tb.Helper()
	skey, err := translog.GenerateSignerKey(nil, "admit-audit-test")
	if err != nil {
		tb.Fatal(err)
	}
	return skey
}

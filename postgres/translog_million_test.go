package postgres_test

import (
	"testing"

	"github.com/admit-project/admit/translog/logtest"
)

// TestAuditLogVerifyMillion builds a store of 1,000,000 audit entries,
// integrates them (ten passes of 100,000) and times translog.Verify over
// the store, as `admit audit verify` runs it (logtest.VerifyMillion). It
// runs only with ADMIT_AUDIT_1M=1; the figure is in docs/audit-log.md.
func TestAuditLogVerifyMillion(t *testing.T) {
	logtest.SkipUnlessMillion(t)
	db := MustOpenDB(t, FreshSchema(t))
	defer db.Close()
	logtest.VerifyMillion(t, logtest.Harness{Store: db.AuditLog(), Append: db.AppendEvents})
}

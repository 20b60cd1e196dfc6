package app_test

import (
	"context"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/admittest"
	"github.com/admit-project/admit/clock"
)

// auditRoleTests are who may read the audit log's checkpoints and proofs:
// the account's owners and admins (a read token will do); hosts may not.
var auditRoleTests = []struct {
	name string
	role admit.Role
	tok  *admit.APIToken
	want string // error code, "" for allowed
}{
	{"owner", admit.RoleOwner, nil, ""},
	{"admin", admit.RoleAdmin, nil, ""},
	{"host", admit.RoleHost, nil, admit.EFORBIDDEN},
	{"owner's read token", admit.RoleOwner, &admit.APIToken{Scopes: []string{admit.ScopeRead}}, ""},
}

func TestAuditLogByRole(t *testing.T) {
	ctx := context.Background()
	svc, db := admittest.Service(t, admittest.Options{Clock: &clock.TestClock{}})
	owner := admittest.Owner(t, svc, "o@example.com", "Olive")
	in := admittest.AuditLog(t, svc, db)
	if _, err := svc.AuditCheckpoint(ctx, &admit.Actor{User: owner}); admit.ErrorCode(err) != admit.ENOTFOUND {
		t.Errorf("before the first checkpoint: %v, want ENOTFOUND", err)
	}
	if _, err := in.Step(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range auditRoleTests {
		u := *owner
		u.Role = c.role
		a := &admit.Actor{User: &u, Token: c.tok}
		_, err1 := svc.AuditCheckpoint(ctx, a)
		_, err2 := svc.AuditProof(ctx, a, 1)
		_, err3 := svc.AuditConsistency(ctx, a, 1)
		for i, err := range []error{err1, err2, err3} {
			if got := admit.ErrorCode(err); got != c.want {
				t.Errorf("%s, call %d: %v, want %q", c.name, i, err, c.want)
			}
		}
	}
	// Another account's entry is not this account's to prove.
	other := *owner
	other.AccountID = owner.AccountID + 1
	if _, err := svc.AuditProof(ctx, &admit.Actor{User: &other}, 1); admit.ErrorCode(err) != admit.ENOTFOUND {
		t.Errorf("another account's entry: %v, want ENOTFOUND", err)
	}
}

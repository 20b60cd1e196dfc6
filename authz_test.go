package admit_test

import (
	"testing"

	"github.com/admit-project/admit"
)

func TestMeetingPermissions(t *testing.T) {
	owner := &admit.User{ID: 1, AccountID: 7, Role: admit.RoleOwner}
	adminU := &admit.User{ID: 2, AccountID: 7, Role: admit.RoleAdmin}
	host := &admit.User{ID: 3, AccountID: 7, Role: admit.RoleHost}
	alt := &admit.User{ID: 4, AccountID: 7, Role: admit.RoleHost}
	other := &admit.User{ID: 5, AccountID: 7, Role: admit.RoleHost}
	stranger := &admit.User{ID: 6, AccountID: 8, Role: admit.RoleOwner}
	for _, c := range []struct {
		name string
		u    *admit.User
		want admit.Permission
	}{
		{"owner", owner, admit.PermAll},
		{"admin", adminU, admit.PermAll},
		{"host", host, admit.PermAll},
		{"alternative host", alt, admit.PermSee | admit.PermRun},
		{"another host", other, 0},
		{"owner of another account", stranger, 0},
		{"nobody", nil, 0},
	} {
		if got := admit.MeetingPermissions(c.u, 7, 3, []int64{4}); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if admit.AlternativeHostPermissions.Has(admit.PermDelete) || admit.AlternativeHostPermissions.Has(admit.PermChange) {
		t.Error("an alternative host may delete or change the meeting")
	}
}

func TestScopePermissions(t *testing.T) {
	read := &admit.APIToken{Scopes: []string{admit.ScopeRead}}
	manage := &admit.APIToken{Scopes: []string{admit.ScopeManage}}
	if got := admit.ScopePermissions(read); got != admit.PermSee {
		t.Errorf("read token: %v", got)
	}
	if got := admit.ScopePermissions(manage); got != admit.PermAll {
		t.Errorf("manage token: %v", got)
	}
	if got := admit.ScopePermissions(nil); got != admit.PermAll {
		t.Errorf("no token: %v", got)
	}
	if got := admit.ScopePermissions(&admit.APIToken{}); got != 0 {
		t.Errorf("token without scopes: %v", got)
	}
	if s := (admit.PermSee | admit.PermRun).String(); s != "see+run" {
		t.Errorf("String: %q", s)
	}
}

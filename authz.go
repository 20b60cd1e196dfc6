package admit

import (
	"slices"
	"strings"
)

// Authorization inside an account. Owners and admins manage every meeting
// of the account; a host manages the meetings they host and, with fewer
// rights, those where they are named alternative host; everyone else is
// told that the meeting does not exist, in the very words a meeting that
// does not exist gets, so that nobody learns which meetings others have.

// Permission is a set of things an actor may do with one meeting.
type Permission uint8

// Permissions on a meeting.
const (
	// PermSee: show the meeting with its codes and passcodes, its roster,
	// attendance, refused attempts and audit entries.
	PermSee Permission = 1 << iota
	// PermRun: start and end it, admit, deny and remove participants,
	// regenerate its credentials, restore it after an attack.
	PermRun
	// PermChange: change its schedule, topic, settings, invitees and
	// alternative hosts.
	PermChange
	// PermDelete: delete it.
	PermDelete
)

// PermAll is every permission on a meeting.
const PermAll = PermSee | PermRun | PermChange | PermDelete

// Has reports whether p holds every permission of want.
func (p Permission) Has(want Permission) bool { return p&want == want }

// String names the permissions of p, for logs and tests ("see+run").
func (p Permission) String() string {
	var parts []string
	for _, x := range []struct {
		p    Permission
		name string
	}{{PermSee, "see"}, {PermRun, "run"}, {PermChange, "change"}, {PermDelete, "delete"}} {
		if p.Has(x.p) {
			parts = append(parts, x.name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}

// AlternativeHostPermissions are what a named alternative host may do: see
// the codes, start and run the meeting and its roster; not change or
// delete it.
const AlternativeHostPermissions = PermSee | PermRun

// MeetingPermissions returns what user u may do with a meeting of account
// accountID hosted by hostID with the named alternative hosts: everything
// for the account's owners and admins and for the meeting's host,
// AlternativeHostPermissions for an alternative host, nothing for anyone
// else (nor for a user of another account).
func MeetingPermissions(u *User, accountID, hostID int64, alternatives []int64) Permission {
	switch {
	case u == nil || u.AccountID != accountID:
		return 0
	case u.Role == RoleOwner || u.Role == RoleAdmin:
		return PermAll
	case u.ID == hostID:
		return PermAll
	case slices.Contains(alternatives, u.ID):
		return AlternativeHostPermissions
	}
	return 0
}

// ScopePermissions returns the permissions an API token's scopes allow:
// PermSee for read, every permission for manage; every permission for an
// actor without a token (the CLI, a web session).
func ScopePermissions(t *APIToken) Permission {
	switch {
	case t == nil || t.HasScope(ScopeManage):
		return PermAll
	case t.HasScope(ScopeRead):
		return PermSee
	}
	return 0
}

// MaxAlternativeHosts bounds the alternative hosts of one meeting.
const MaxAlternativeHosts = 10

// NoSuchMeeting is the one error for a meeting that does not exist and for
// one the actor may not see: the same code and the same words, so that the
// answer tells nothing about other people's meetings.
func NoSuchMeeting() *Error { return &Error{Code: ENOTFOUND, Message: "No such meeting."} }

// SeesAccountAudit reports whether u sees the whole account's audit trail
// and failed attempts (owners and admins); others see only the entries of
// the meetings they may see and their own actions.
func SeesAccountAudit(u *User) bool { return u != nil && (u.Role == RoleOwner || u.Role == RoleAdmin) }

package app

import (
	"context"
	"slices"
	"strconv"

	"github.com/admit-project/admit"
)

// setAlternativeHosts replaces m's alternative hosts with the users of its
// account named by emails (nil leaves them as they are). EINVALID, naming
// alternative_hosts, for an address that is no user of the account, the
// host's own or too many.
func (s *Service) setAlternativeHosts(ctx context.Context, m *admit.Meeting, emails *[]string) error {
	if emails == nil {
		return nil
	}
	if len(*emails) > admit.MaxAlternativeHosts {
		return admit.FieldErrorf("alternative_hosts", "a meeting may have at most %d alternative hosts", admit.MaxAlternativeHosts)
	}
	ids := []int64{}
	for i, e := range *emails {
		field := "alternative_hosts[" + strconv.Itoa(i) + "]"
		email, err := admit.ValidateEmail(field, e, false)
		if err != nil {
			return &admit.Error{Code: admit.EINVALID, Field: "alternative_hosts", Message: admit.ErrorMessage(err)}
		}
		u, err := s.Store.FindUserByEmail(ctx, email)
		if admit.ErrorCode(err) == admit.ENOTFOUND || err == nil && u.AccountID != m.AccountID {
			return admit.FieldErrorf("alternative_hosts", "%s is not a user of this account", email)
		} else if err != nil {
			return err
		}
		if u.ID == m.HostID {
			return admit.FieldErrorf("alternative_hosts", "%s is the meeting's host", email)
		}
		if !slices.Contains(ids, u.ID) {
			ids = append(ids, u.ID)
		}
	}
	m.AlternativeHosts = ids
	return nil
}

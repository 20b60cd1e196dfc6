package app

import (
	"context"
	"time"

	"github.com/admit-project/admit"
)

// ProposeTimezone takes the zone the browser reports at set-up and sign-in
// as the user's own, when the user has none yet (a user made by `admit user
// create`, an invitation or a provider starts without one; one chosen in
// Settings is never replaced). It reports whether the zone was taken. A
// zone that is not an IANA name is ignored: it is a proposal, not an input.
// Audited as user.update.
func (s *Service) ProposeTimezone(ctx context.Context, ws *admit.WebSession, tz, source string) (bool, error) {
	if ws == nil || ws.User == nil || ws.User.Timezone != "" || !validZone(tz) {
		return false, nil
	}
	u, err := s.Store.FindUserByID(ctx, ws.User.ID)
	if err != nil {
		return false, err
	}
	if u.Timezone != "" {
		return false, nil
	}
	u.Timezone = tz
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return false, err
	}
	ws.User.Timezone = tz
	s.event(ctx, &admit.Event{AccountID: u.AccountID, Actor: "user:" + itoa(u.ID), Action: "user.update", Target: "user:" + itoa(u.ID),
		Source: source, Outcome: "ok", Detail: "time zone " + tz + " from the browser"})
	return true, nil
}

// validZone reports whether tz is an IANA zone name this server knows.
func validZone(tz string) bool {
	if tz == "" || tz == "Local" || len(tz) > 64 {
		return false
	}
	_, err := time.LoadLocation(tz)
	return err == nil
}

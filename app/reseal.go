package app

import (
	"context"
	"fmt"

	"github.com/admit-project/admit"
)

// sealedAD returns the additional data a stored sealed value was bound to.
func sealedAD(v *admit.SealedValue) (string, error) {
	m := "meeting:" + v.MeetingID
	inv := m + ":invitee:" + v.InviteeID
	switch v.Kind {
	case admit.CredPasscode:
		return m + ":passcode", nil
	case admit.CredPhonePasscode:
		return m + ":phone-passcode", nil
	case admit.CredInviteePIN:
		return inv + ":pin", nil
	case admit.CredInviteePasscode:
		return inv + ":passcode", nil
	case admit.CredInviteePhonePasscode:
		return inv + ":phone-passcode", nil
	case "access_code":
		return m + ":occurrence:" + itoa(int64(v.Occurrence)) + ":access-code", nil
	case "invitee_token":
		return inv + ":token", nil
	case admit.SealedMediaSecret:
		return string(admit.MediaSecretAD(v.RowPK)), nil
	case admit.SealedSMTPPassword:
		return string(admit.SMTPPasswordAD(v.RowPK)), nil
	case admit.SealedCallerNumber:
		return string(admit.CallerNumberAD(v.ParticipantID)), nil
	}
	return "", fmt.Errorf("admit: sealed value of unknown kind %q", v.Kind)
}

// Reseal seals again, under the keyring's current key, every stored secret
// for which stale reports true (sealed under an older key). It runs beside a
// live service: a value replaced meanwhile is left as the other writer made
// it. Run it until a pass reseals nothing before retiring old keys.
func (s *Service) Reseal(ctx context.Context, stale func(sealed []byte) bool) (admit.ResealStats, error) {
	var st admit.ResealStats
	var cur admit.SealedCursor
	for !cur.Done {
		vals, next, err := s.Store.FindSealed(ctx, cur, 500)
		if err != nil {
			return st, err
		}
		cur = next
		for _, v := range vals {
			st.Seen++
			if !stale(v.Sealed) {
				continue
			}
			ad, err := sealedAD(v)
			if err != nil {
				return st, err
			}
			plain, err := s.Keys.Open(v.Sealed, []byte(ad))
			if err != nil {
				return st, fmt.Errorf("admit: reseal %s of meeting %s: %w", v.Kind, v.MeetingID, err)
			}
			sealed, err := s.Keys.Seal(plain, []byte(ad))
			clear(plain)
			if err != nil {
				return st, err
			}
			ok, err := s.Store.ReplaceSealed(ctx, v, sealed)
			if err != nil {
				return st, err
			}
			if ok {
				st.Resealed++
			} else {
				st.Changed++
			}
		}
	}
	s.event(ctx, &admit.Event{Actor: "cli", Action: "keys.reseal", Outcome: "ok",
		Detail: fmt.Sprintf("seen %d, resealed %d, changed meanwhile %d", st.Seen, st.Resealed, st.Changed)})
	return st, nil
}

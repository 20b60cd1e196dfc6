package jwt_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/jwt"
)

func TestSignVerify(t *testing.T) {
	s, err := jwt.NewSigner(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	tok, err := s.SignAdmission(admit.AdmissionClaims{ParticipantID: "pabc", DisplayName: "Ada", MeetingID: "12345678901",
		Occurrence: 2, IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Verify(tok, now.Add(time.Minute))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if c.Subject != "pabc" || c.Name != "Ada" || c.Room != "12345678901" || c.Occurrence != 2 {
		t.Errorf("claims = %+v", c)
	}
	if _, err := s.Verify(tok, now.Add(2*time.Hour)); err == nil {
		t.Error("expired token verified")
	}
	other, _ := jwt.NewSigner(bytes.Repeat([]byte{4}, 32))
	if _, err := other.Verify(tok, now); err == nil {
		t.Error("token verified under another secret")
	}
	if _, err := jwt.NewSigner([]byte("short")); err == nil {
		t.Error("NewSigner accepted a short secret")
	}
}

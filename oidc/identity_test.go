package oidc_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/oidc"
)

func TestIdentityCookie(t *testing.T) {
	clock := newTestClock(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	k := newKeeper(t, clock)
	id := &admit.VerifiedIdentity{Issuer: "https://idp.example.com/", Subject: "ann", Email: "ann@example.com", EmailVerified: true, Name: "Ann"}
	rec := httptest.NewRecorder()
	if err := k.SetIdentity(rec, id); err != nil {
		t.Fatal(err)
	}
	c := rec.Result().Cookies()[0]
	if !c.HttpOnly || c.Path != "/" {
		t.Errorf("cookie %+v", c)
	}
	r := httptest.NewRequest("GET", "/j/123", nil)
	r.AddCookie(c)
	if got := k.Identity(r); got == nil || got.Subject != id.Subject || got.Email != id.Email || got.Issuer != id.Issuer || !got.EmailVerified {
		t.Errorf("Identity = %+v, want %+v", got, id)
	}
	forged := httptest.NewRequest("GET", "/j/123", nil)
	forged.AddCookie(oidcCookie{c.Name, c.Value[:len(c.Value)-2] + "AA"}.cookie())
	if k.Identity(forged) != nil {
		t.Error("a changed cookie opened")
	}
	clock.Advance(oidc.DefaultIdentityTTL)
	if k.Identity(r) != nil {
		t.Error("an expired sign-in still counts")
	}
}

type oidcCookie struct{ name, value string }

func (c oidcCookie) cookie() *http.Cookie { return &http.Cookie{Name: c.name, Value: c.value} }

package main

import (
	"testing"

	"github.com/admit-project/admit"
)

func TestSIPFlags(t *testing.T) {
	env := map[string]string{"ADMIT_SIP_TRUNK_CARRIER_PASSWORD": "s3cret"}
	getenv := func(k string) string { return env[k] }
	tr, err := parseTrunk("carrier=192.0.2.0/24,198.51.100.7@admit", getenv)
	if err != nil || tr.Name != "carrier" || len(tr.Sources) != 2 || tr.Username != "admit" || tr.Password != "s3cret" {
		t.Errorf("parseTrunk = %+v, %v", tr, err)
	}
	for _, bad := range []string{"carrier", "=1.2.3.4", "x=example.org", "other=192.0.2.1@user"} {
		if _, err := parseTrunk(bad, getenv); admit.ErrorField(err) != "sip-trunk" {
			t.Errorf("parseTrunk(%q) = %v, want an error naming sip-trunk", bad, err)
		}
	}
	f := &sipFlags{DialIn: []string{"+15551234567:US:toll-free", "+442079460000:GB@2"}}
	ns, err := f.dialIn()
	if err != nil || len(ns) != 2 || !ns[0].TollFree || ns[1].TollFree || ns[1].Country != "GB" || ns[0].AccountID != 0 || ns[1].AccountID != 2 {
		t.Errorf("dialIn = %+v, %v", ns, err)
	}
	for _, bad := range []string{"+1555", "+15551234567:usa", "+15551234567:US:free", "5551234567:US", "+15551234567:US@", "+15551234567:US@acme", "+15551234567:US:toll-free@0"} {
		f := &sipFlags{DialIn: []string{bad}}
		if _, err := f.dialIn(); admit.ErrorField(err) != "dial-in" {
			t.Errorf("dialIn(%q) = %v, want an error naming dial-in", bad, err)
		}
	}
}

func TestSIPRefer(t *testing.T) {
	trunks := []admit.Trunk{{Name: "carrier"}, {Name: "pbx"}}
	if err := setRefer(trunks, []string{"pbx"}); err != nil || trunks[0].Refer || !trunks[1].Refer {
		t.Errorf("setRefer(pbx) = %v, trunks %+v; want pbx alone to take REFER", err, trunks)
	}
	if err := setRefer(trunks, []string{"nope"}); admit.ErrorField(err) != "sip-refer" {
		t.Errorf("setRefer(nope) = %v, want an error naming sip-refer", err)
	}
}

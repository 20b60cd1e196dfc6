package admit_test

import (
	"testing"

	"github.com/admit-project/admit"
)

func TestDialInNumberValidate(t *testing.T) {
	tests := []struct {
		n     admit.DialInNumber
		field string
	}{
		{admit.DialInNumber{Number: "+15551234567", Country: "US", TollFree: true}, ""},
		{admit.DialInNumber{Number: "15551234567", Country: "US"}, "number"},
		{admit.DialInNumber{Number: "+1555123456789012", Country: "US"}, "number"},
		{admit.DialInNumber{Number: "+1 555", Country: "US"}, "number"},
		{admit.DialInNumber{Number: "+441234567890", Country: "gb"}, "country"},
		{admit.DialInNumber{Number: "+441234567890", Country: "GBR"}, "country"},
	}
	for _, tt := range tests {
		err := tt.n.Validate()
		if tt.field == "" && err != nil || tt.field != "" && admit.ErrorField(err) != tt.field {
			t.Errorf("%+v: Validate() = %v, want field %q", tt.n, err, tt.field)
		}
	}
}

func TestOneTapDial(t *testing.T) {
	if got, want := admit.OneTapDial("+15551234567", "123456789"), "+15551234567,,123456789#"; got != want {
		t.Errorf("OneTapDial = %q, want %q", got, want)
	}
}

func TestTrunkValidate(t *testing.T) {
	good := admit.Trunk{Name: "carrier", Sources: []string{"192.0.2.10", "198.51.100.0/24", "2001:db8::/32"}}
	if err := good.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
	for _, tr := range []admit.Trunk{
		{Name: "none"},
		{Name: "bad", Sources: []string{"example.org"}},
		{Name: "badnet", Sources: []string{"192.0.2.0/33"}},
		{Name: "nopass", Sources: []string{"192.0.2.1"}, Username: "u"},
	} {
		if err := tr.Validate(); admit.ErrorCode(err) != admit.EINVALID {
			t.Errorf("%+v: Validate() = %v, want EINVALID", tr, err)
		}
	}
	p, err := admit.ParseTrunkSource("::ffff:192.0.2.7")
	if err != nil || p.String() != "192.0.2.7/32" {
		t.Errorf("ParseTrunkSource(mapped) = %v, %v", p, err)
	}
}

func TestPhoneJoinRequest(t *testing.T) {
	req := admit.PhoneJoinRequest("12345678901", "4321", "+15551234567")
	if req.MeetingID != "12345678901" || req.AccessCode != "" || req.Passcode != "4321" || req.Channel != admit.ChannelPhone || req.Source != "+15551234567" {
		t.Errorf("meeting ID entry: %+v", req)
	}
	if req := admit.PhoneJoinRequest("2345678901", "", "x"); req.MeetingID != "2345678901" {
		t.Errorf("PMI entry: %+v", req)
	}
	if req := admit.PhoneJoinRequest("123456789", "", "x"); req.AccessCode != "123456789" || req.MeetingID != "" {
		t.Errorf("access code entry: %+v", req)
	}
}

func TestPhoneNames(t *testing.T) {
	tests := []struct{ number, name, masked string }{
		{"+15551234567", "Caller ending 4567", "+1******4567"},
		{"+44 20 7946 0000", "Caller ending 0000", "+4* ** **** 0000"},
		{"123", "Caller", "123"},
		{"anonymous", "Caller", "anonymous"},
	}
	for _, tt := range tests {
		if got := admit.PhoneCallerName(tt.number); got != tt.name {
			t.Errorf("PhoneCallerName(%q) = %q, want %q", tt.number, got, tt.name)
		}
		if got := admit.MaskPhoneNumber(tt.number); got != tt.masked {
			t.Errorf("MaskPhoneNumber(%q) = %q, want %q", tt.number, got, tt.masked)
		}
	}
}

package rowscan

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// fakeRows is a result set of rows of values, assigned by reflection as a
// driver would (nil to a pointer destination leaves it nil).
type fakeRows struct {
	rows [][]any
	i    int
	err  error
}

func (r *fakeRows) Next() bool { r.i++; return r.i <= len(r.rows) }
func (r *fakeRows) Err() error { return r.err }
func (r *fakeRows) Scan(dest ...any) error {
	row := r.rows[r.i-1]
	if len(row) != len(dest) {
		return errors.New("column count")
	}
	for i, v := range row {
		if v == nil {
			continue
		}
		d := reflect.ValueOf(dest[i]).Elem()
		val := reflect.ValueOf(v)
		if d.Kind() == reflect.Pointer && val.Kind() != reflect.Pointer {
			p := reflect.New(d.Type().Elem())
			p.Elem().Set(val)
			val = p
		}
		d.Set(val)
	}
	return nil
}

func TestCollect(t *testing.T) {
	got, err := Collect(&fakeRows{rows: [][]any{{1}, {3}}}, Int)
	if err != nil || !reflect.DeepEqual(got, []int{1, 3}) {
		t.Errorf("Collect = %v, %v; want [1 3], nil", got, err)
	}
	if got, err := Collect(&fakeRows{}, Int); got != nil || err != nil {
		t.Errorf("Collect of no rows = %v, %v; want nil, nil", got, err)
	}
	bad := errors.New("broken")
	if got, err := Collect(&fakeRows{rows: [][]any{{1}}, err: bad}, Int); got != nil || err != bad {
		t.Errorf("Collect with a rows error = %v, %v; want nil, %v", got, err, bad)
	}
}

func TestParticipantNulls(t *testing.T) {
	joined := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	rows := &fakeRows{rows: [][]any{
		{int64(1), "p1", int64(2), 3, int64(0), "", "Ada", "Ada", false, "web", "src", admit.StateWaiting, joined.UnixNano(), nil, nil, 2, nil},
		{int64(4), "p2", int64(2), 3, int64(0), "", "Bo", "Bo", false, "web", "src", admit.StateAdmitted, joined.UnixNano(), joined.UnixNano(), nil, 0, []byte("sealed")},
	}}
	ps, err := Collect(rows, Participant)
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].AdmittedAt != nil || ps[0].LeftAt != nil || !ps[0].JoinedAt.Equal(joined) || ps[0].JoinedAt.Location() != time.UTC {
		t.Errorf("waiting participant = %+v", ps[0])
	}
	if ps[0].Hold != admit.HoldUnmatched || ps[0].Matched == nil || *ps[0].Matched || ps[1].Matched != nil {
		t.Errorf("budget holds %v and %v; want unmatched (matched false) and none", ps[0].Hold, ps[1].Hold)
	}
	if ps[1].AdmittedAt == nil || !ps[1].AdmittedAt.Equal(joined) {
		t.Errorf("admitted participant AdmittedAt = %v, want %v", ps[1].AdmittedAt, joined)
	}
}

var credentialSlotTests = []struct {
	kind      string
	inv       bool
	want      string
	wantNoInv bool
}{
	{admit.CredPasscode, false, "meeting passcode", false},
	{admit.CredPhonePasscode, false, "meeting phone passcode", false},
	{admit.CredInviteePasscode, true, "invitee passcode", false},
	{admit.CredInviteePhonePasscode, true, "invitee phone passcode", false},
	{admit.CredInviteePIN, true, "invitee PIN", false},
	{admit.CredInviteePIN, false, "", true},
	{"unknown", true, "", true},
}

func TestCredentialSlot(t *testing.T) {
	for _, tt := range credentialSlotTests {
		m, inv := &admit.Meeting{}, &admit.Invitee{}
		places := map[**admit.Secret]string{
			&m.Passcode: "meeting passcode", &m.PhonePasscode: "meeting phone passcode",
			&inv.Passcode: "invitee passcode", &inv.PhonePasscode: "invitee phone passcode", &inv.PIN: "invitee PIN",
		}
		var in *admit.Invitee
		if tt.inv {
			in = inv
		}
		slot := CredentialSlot(m, in, tt.kind)
		if tt.wantNoInv {
			if slot != nil {
				t.Errorf("CredentialSlot(%q, invitee %v) = %s, want nil", tt.kind, tt.inv, places[slot])
			}
			continue
		}
		if got := places[slot]; got != tt.want {
			t.Errorf("CredentialSlot(%q) = %q, want %q", tt.kind, got, tt.want)
		}
	}
}

func TestFound(t *testing.T) {
	noRows := errors.New("no rows")
	if v, err := Found(7, noRows, noRows, "thing"); v != 0 || admit.ErrorCode(err) != admit.ENOTFOUND {
		t.Errorf("Found(no rows) = %v, %v; want 0, ENOTFOUND", v, err)
	}
	other := errors.New("other")
	if v, err := Found(7, other, noRows, "thing"); v != 7 || err != other {
		t.Errorf("Found(other) = %v, %v; want 7, other", v, err)
	}
	if v, err := Found(7, nil, noRows, "thing"); v != 7 || err != nil {
		t.Errorf("Found(nil) = %v, %v; want 7, nil", v, err)
	}
}

func TestPasscodeIndex(t *testing.T) {
	m := &admit.Meeting{}
	PasscodeIndex(m, admit.CredPasscode, nil)
	PasscodeIndex(m, admit.CredInviteePIN, []byte("pin"))
	if m.Passcode != nil || m.PhonePasscode != nil {
		t.Errorf("nil index or invitee kind set %+v / %+v", m.Passcode, m.PhonePasscode)
	}
	PasscodeIndex(m, admit.CredPasscode, []byte("p"))
	PasscodeIndex(m, admit.CredPhonePasscode, []byte("ph"))
	if m.Passcode == nil || string(m.Passcode.Index) != "p" || m.Passcode.Sealed != nil {
		t.Errorf("Passcode = %+v, want Index p only", m.Passcode)
	}
	if m.PhonePasscode == nil || string(m.PhonePasscode.Index) != "ph" {
		t.Errorf("PhonePasscode = %+v, want Index ph", m.PhonePasscode)
	}
}

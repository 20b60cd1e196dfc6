package http_test

import (
	"encoding/json"
	"testing"

	"github.com/admit-project/admit"
)

// testDialIn are the dial-in numbers of the handler tests' deployment: one
// of every account, one of another account.
var testDialIn = []admit.DialInNumber{
	{Number: "+15551234567", Country: "US", TollFree: true},
	{Number: "+15550000002", Country: "US", AccountID: 999},
}

// TestDialInShown: the meeting's view lists the numbers that reach it with
// the one-tap form, the passcode's phone form included; a join's answer
// (and the participant's status) lists them with the meeting ID alone;
// neither lists another account's number.
func TestDialInShown(t *testing.T) {
	f := mustServe(t, false)
	m := f.mustCreateMeeting(t, map[string]any{"topic": "Phone", "start": f.in(0), "duration_minutes": 30,
		"security": map[string]any{"passcode": "shared"}})
	phone := m.PhonePasscode
	if phone == "" {
		phone = m.Passcode
	}
	want := "+15551234567,," + m.MeetingID + "#,," + phone + "#"
	if len(m.DialIn) != 1 || m.DialIn[0].OneTap != want || !m.DialIn[0].TollFree || m.DialIn[0].Country != "US" {
		t.Errorf("meeting view dial_in = %+v, want one number, one tap %s", m.DialIn, want)
	}

	res := f.send(t, "POST", "/api/v1/join", map[string]string{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": "Ada"})
	if res.Status != 200 && res.Status != 201 {
		t.Fatalf("join: %d %s", res.Status, res.Body)
	}
	var jr admit.JoinResult
	if err := json.Unmarshal(res.Body, &jr); err != nil {
		t.Fatal(err)
	}
	want = "+15551234567,," + m.MeetingID + "#"
	if len(jr.Meeting.DialIn) != 1 || jr.Meeting.DialIn[0].OneTap != want {
		t.Errorf("join answer dial_in = %+v, want one number, one tap %s", jr.Meeting.DialIn, want)
	}
	res = f.send(t, "GET", "/api/v1/participants/"+jr.Participant.ID, nil)
	var st admit.JoinResult
	if err := json.Unmarshal(res.Body, &st); err != nil || st.Meeting == nil {
		t.Fatalf("participant status: %d %s", res.Status, res.Body)
	}
	if len(st.Meeting.DialIn) != 1 || st.Meeting.DialIn[0].OneTap != want {
		t.Errorf("participant status dial_in = %+v, want one tap %s", st.Meeting.DialIn, want)
	}
}

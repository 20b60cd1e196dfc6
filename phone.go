package admit

import (
	"context"
	"net/netip"
	"strings"
)

// DialInNumber is a telephone number a deployment lists for dialling in.
type DialInNumber struct {
	// Number is the number in E.164 form ("+15551234567").
	Number string `json:"number"`
	// Country is the ISO 3166-1 alpha-2 code of the number's country ("US").
	Country string `json:"country"`
	// TollFree marks a number that is free for the caller.
	TollFree bool `json:"toll_free"`
	// AccountID, when not zero, is the account whose meetings callers of
	// this number reach, where several accounts share a deployment; a
	// number without one reaches every account's meetings.
	AccountID int64 `json:"account_id,omitempty"`
}

// Validate checks the number's form. It returns EINVALID naming the field
// at fault.
func (n *DialInNumber) Validate() error {
	if len(n.Number) < 4 || len(n.Number) > 16 || n.Number[0] != '+' {
		return FieldErrorf("number", "number is in E.164 form: + and 3 to 15 digits")
	}
	for i := 1; i < len(n.Number); i++ {
		if n.Number[i] < '0' || n.Number[i] > '9' {
			return FieldErrorf("number", "number is in E.164 form: + and 3 to 15 digits")
		}
	}
	if len(n.Country) != 2 || strings.ToUpper(n.Country) != n.Country || !isLetters(n.Country) {
		return FieldErrorf("country", "country is a two-letter ISO 3166 code in capitals, such as US")
	}
	return nil
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// DialInFor returns the numbers of numbers that reach the meetings of
// account: those of the account and those of no account.
func DialInFor(numbers []DialInNumber, account int64) []DialInNumber {
	var out []DialInNumber
	for _, n := range numbers {
		if n.AccountID == 0 || n.AccountID == account {
			out = append(out, n)
		}
	}
	return out
}

// DialInOption is a dial-in number as shown to a participant: the number
// and its one-tap form for one meeting.
type DialInOption struct {
	Number   string `json:"number"`
	Country  string `json:"country"`
	TollFree bool   `json:"toll_free"`
	// OneTap dials the number and enters the meeting ID (and the passcode's
	// phone form, when the one shown it has one): "+15551234567,,123456789#".
	OneTap string `json:"one_tap"`
}

// DialInOptions returns the numbers that reach a meeting of account, each
// with its one-tap form for entry (the meeting ID or access code, spaces
// dropped) and, when it is all digits, phonePasscode (the passcode's phone
// form, or "" when the participant is not shown one). Invitations, meeting
// pages, the join page and the API all show dial-in numbers through it.
func DialInOptions(numbers []DialInNumber, account int64, entry, phonePasscode string) []DialInOption {
	entry = strings.ReplaceAll(entry, " ", "")
	var out []DialInOption
	for _, n := range DialInFor(numbers, account) {
		tap := OneTapDial(n.Number, entry)
		if phonePasscode != "" && isDigits(phonePasscode) {
			tap += ",," + phonePasscode + "#"
		}
		out = append(out, DialInOption{Number: n.Number, Country: n.Country, TollFree: n.TollFree, OneTap: tap})
	}
	return out
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// CalledNumberMatches reports whether called, a number as a trunk passes it
// in the Request-URI ("+15551234567", "15551234567", "tel:+1 555…"), is
// the dial-in number n: their digits are equal.
func CalledNumberMatches(n DialInNumber, called string) bool {
	return digitsOf(called) == digitsOf(n.Number) && digitsOf(called) != ""
}

func digitsOf(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// SealedCallerNumber is the SealedValue kind of a phone participant's
// sealed number.
const SealedCallerNumber = "caller_number"

// CallerNumberAD is the additional data a phone participant's sealed number
// (Participant.CallerSealed) is bound to.
func CallerNumberAD(participantID string) []byte {
	return []byte("participant:" + participantID + ":caller-number")
}

// OneTapDial is the one-tap form of dialling number and entering the meeting
// ID or access code entry: "+15551234567,,123456789#". Phones dial the
// number, pause at each comma, then send the rest as digits.
func OneTapDial(number, entry string) string {
	return number + ",," + entry + "#"
}

// Trunk is a SIP trunk admitted to call the phone gateway: calls from any
// other source are refused (403).
type Trunk struct {
	// Name names the trunk in logs and settings.
	Name string `json:"name"`
	// Sources are the addresses ("192.0.2.10") and networks
	// ("198.51.100.0/24") the trunk's calls come from.
	Sources []string `json:"sources"`
	// Username and Password, when Username is set, require digest
	// authentication of the trunk's INVITEs. Password is a secret: it is
	// never logged or shown.
	Username string `json:"username,omitempty"`
	Password string `json:"-"`
	// Refer makes the gateway transfer an admitted caller to the conference
	// with REFER (the trunk then calls the conference itself) instead of
	// calling it and relaying the audio, for trunks that allow it; a refused
	// or failed transfer falls back to relaying.
	Refer bool `json:"refer,omitempty"`
}

// Validate checks the trunk's sources. It returns EINVALID naming the field
// at fault.
func (t *Trunk) Validate() error {
	if len(t.Sources) == 0 {
		return FieldErrorf("sources", "trunk %q needs at least one source address or network", t.Name)
	}
	for _, s := range t.Sources {
		if _, err := ParseTrunkSource(s); err != nil {
			return err
		}
	}
	if t.Username != "" && t.Password == "" {
		return FieldErrorf("password", "trunk %q has a username and needs a password", t.Name)
	}
	return nil
}

// ParseTrunkSource parses an address or network of Trunk.Sources as a
// network (an address is a network of one). It returns EINVALID naming
// "sources" for anything else.
func ParseTrunkSource(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, FieldErrorf("sources", "%q is not an address or network (such as 192.0.2.0/24)", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, FieldErrorf("sources", "%q is not an address or network (such as 192.0.2.0/24)", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// MaxPhoneDigits is the most digits a caller may enter in one entry.
const MaxPhoneDigits = 16

// PhoneJoinRequest is the join request of a caller who entered entry (a
// meeting ID or an access code) and passcode (a passcode, unique passcode
// or invitee PIN, possibly empty) from the caller number source. An entry of
// a meeting ID's or a personal meeting ID's length is a meeting ID, any other
// an access code. Name is left empty: the admitter names the caller.
func PhoneJoinRequest(entry, passcode, source string) *JoinRequest {
	req := &JoinRequest{Passcode: passcode, Channel: ChannelPhone, Source: source}
	if len(entry) == MeetingIDLength || len(entry) == PMILength {
		req.MeetingID = entry
	} else {
		req.AccessCode = entry
	}
	return req
}

// PhoneCallerName is the display name of a caller who is not named by an
// invitee PIN: "Caller ending 1234", from the last four digits of the
// caller's number, or "Caller" when the number has fewer.
func PhoneCallerName(number string) string {
	var d []byte
	for i := 0; i < len(number); i++ {
		if number[i] >= '0' && number[i] <= '9' {
			d = append(d, number[i])
		}
	}
	if len(d) < 4 {
		return "Caller"
	}
	return "Caller ending " + string(d[len(d)-4:])
}

// MaskPhoneNumber masks all but the last four digits of a caller's number
// ("+1******4567"), for every place the number is shown; the full number
// is kept sealed.
func MaskPhoneNumber(number string) string {
	digits := 0
	for i := 0; i < len(number); i++ {
		if number[i] >= '0' && number[i] <= '9' {
			digits++
		}
	}
	var b strings.Builder
	seen := 0
	for i := 0; i < len(number); i++ {
		c := number[i]
		if c >= '0' && c <= '9' {
			seen++
			if seen > 1 && seen <= digits-4 {
				c = '*'
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// PhoneEvent is a change of a phone participant's status, told to the
// gateway that holds their call.
type PhoneEvent struct {
	// Status is the participant's new status: admitted (from the waiting
	// room), denied, removed or left.
	Status JoinStatus
	// AdmissionToken is set with StatusAdmitted: the token the bridge
	// passes to the media backend.
	AdmissionToken string
	// Ended marks the end of the meeting by its host; the call is hung up.
	Ended bool
}

// PhoneAdmitter decides phone callers' joins, for the SIP gateway. Its
// implementation is the application's join decision with channel phone:
// limits, guess budgets and audit count a caller's attempt like a web one,
// the source being the caller's number as the trusted trunk passed it.
type PhoneAdmitter interface {
	// Join decides a caller's attempt (see PhoneJoinRequest). It returns
	// the admitted or waiting participant, EREFUSED (whatever the cause),
	// ENOTOPEN (Detail "opens_at", RFC 3339) or EENDED for valid
	// credentials outside the meeting's window, EINVALID for a malformed
	// entry, or ERATELIMITED.
	Join(ctx context.Context, req *JoinRequest) (*JoinResult, error)
	// Follow tells a joined participant's status as it is when called
	// (unless waiting: it may have changed since the join's answer), then
	// its changes, until ctx is done or the participant is no longer
	// active; the channel is closed then. It returns ENOTFOUND for an
	// unknown participant.
	Follow(ctx context.Context, participantID string) (<-chan PhoneEvent, error)
	// Leave ends the attendance of a participant whose caller hung up. It
	// returns ENOTFOUND for an unknown participant.
	Leave(ctx context.Context, participantID string) error
}

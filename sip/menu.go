package sip

import (
	"strconv"
	"time"

	"github.com/admit-project/admit"
)

// Prompt names a recorded clip (prompts/NAME.ul).
type Prompt string

// The menu's sentences.
const (
	PromptWelcome       Prompt = "welcome"        // "Welcome."
	PromptEnterID       Prompt = "enter_id"       // "Enter your meeting ID or access code, then press pound."
	PromptEnterPasscode Prompt = "enter_passcode" // "Enter the passcode, then press pound."
	PromptRefused       Prompt = "refused"        // "That meeting ID or passcode is not valid."
	PromptJoining       Prompt = "joining"        // "You are joining the meeting."
	PromptWait          Prompt = "wait"           // "Please wait, the host will let you in."
	PromptWaitShort     Prompt = "wait_short"     // "Please continue to hold."
	PromptDenied        Prompt = "denied"         // "The host did not let you in. Goodbye."
	PromptRemoved       Prompt = "removed"        // "You have been removed from the meeting. Goodbye."
	PromptEnded         Prompt = "ended"          // "This meeting has ended. Goodbye."
	PromptNotOpen       Prompt = "not_open"       // "This meeting is not open yet. It opens on"
	PromptAt            Prompt = "at"             // "at"
	PromptUTC           Prompt = "utc"            // "U T C."
	PromptGoodbye       Prompt = "goodbye"        // "Goodbye."
	PromptFailed        Prompt = "failed"         // "Sorry, your call cannot be connected now. Goodbye."
	PromptOh            Prompt = "oh"             // "oh", as in "nine oh five"
	PromptHundred       Prompt = "hundred"        // "hundred", as in "fourteen hundred"
)

// Limits of the menu.
const (
	// MaxTries is the most join attempts of one call.
	MaxTries = 3
	// FirstDigitTimeout is how long the menu waits for an entry's first
	// digit, from the end of its prompt.
	FirstDigitTimeout = 10 * time.Second
	// InterDigitTimeout is how long the menu waits for each next digit.
	InterDigitTimeout = 5 * time.Second
	// WaitRepeat is how often a waiting caller hears PromptWaitShort.
	WaitRepeat = 20 * time.Second
)

// Outcome is the gateway's reading of a join decision, for the menu.
type Outcome int

// Outcomes.
const (
	OutcomeAdmitted    Outcome = iota // admitted: join the meeting
	OutcomeWaiting                    // in the waiting room
	OutcomeRefused                    // refused (any reason, including a malformed entry)
	OutcomeRateLimited                // the caller's number has failed too often
	OutcomeNotOpen                    // valid, but the meeting opens later
	OutcomeEnded                      // valid, but the meeting has ended
	OutcomeFailed                     // a fault on our side
	OutcomeDenied                     // the host denied the waiting caller
	OutcomeRemoved                    // the host removed the caller
)

// OutcomeOf reads a PhoneAdmitter.Join answer.
func OutcomeOf(res *admit.JoinResult, err error) Outcome {
	if err == nil {
		if res != nil && res.Status == admit.StatusAdmitted {
			return OutcomeAdmitted
		}
		if res != nil && res.Status == admit.StatusWaiting {
			return OutcomeWaiting
		}
		return OutcomeFailed
	}
	switch admit.ErrorCode(err) {
	case admit.EREFUSED, admit.EINVALID:
		return OutcomeRefused
	case admit.ERATELIMITED:
		return OutcomeRateLimited
	case admit.ENOTOPEN:
		return OutcomeNotOpen
	case admit.EENDED:
		return OutcomeEnded
	}
	return OutcomeFailed
}

// Attempt is what the menu asks the gateway to decide: the caller's two
// entries. Invalid marks entries that can match nothing (empty, too long, or
// with keys other than digits); the gateway still records the attempt.
type Attempt struct {
	Entry    string
	Passcode string
	Invalid  bool
}

// Step is what the gateway does after an event: play Play (replacing any
// prompt still playing), then collect an entry (Collect), decide an attempt
// (Join, then call Menu.Decided), wait for the host (Wait: repeat
// PromptWaitShort every WaitRepeat), bridge the call (Bridge) or hang up
// (Hangup), each after the prompts have played.
type Step struct {
	Play    []Prompt
	Collect bool
	Join    *Attempt
	Wait    bool
	Bridge  bool
	Hangup  bool
}

type menuState int

const (
	stateStart menuState = iota
	stateEntry
	statePasscode
	stateDeciding
	stateWaiting
	stateBridged
	stateDone
)

// Menu is the caller's menu: a pure state machine from digits, timeouts and
// decisions to steps. Its zero value is ready; call Start first.
type Menu struct {
	state   menuState
	tries   int
	digits  []byte
	invalid bool
	entry   string
	entryOK bool
}

// Start begins the call: the welcome and the first entry.
func (m *Menu) Start() Step {
	m.state = stateEntry
	m.resetEntry()
	return Step{Play: []Prompt{PromptWelcome, PromptEnterID}, Collect: true}
}

func (m *Menu) resetEntry() {
	m.digits = m.digits[:0]
	m.invalid = false
}

// Collecting reports whether the menu is collecting an entry (digits then
// stop the prompt that plays).
func (m *Menu) Collecting() bool { return m.state == stateEntry || m.state == statePasscode }

// Digits is how many digits of the current entry the caller has pressed.
func (m *Menu) Digits() int { return len(m.digits) }

// Digit takes a key the caller pressed: 0-9, * (start the entry again) or
// # (end the entry). Keys outside an entry are ignored. The 17th digit of an
// entry ends it; such an entry matches nothing.
func (m *Menu) Digit(key byte) Step {
	if !m.Collecting() {
		return Step{}
	}
	switch {
	case key == '#':
		return m.endEntry()
	case key == '*':
		m.resetEntry()
		return Step{Collect: true}
	case key >= '0' && key <= '9':
		m.digits = append(m.digits, key)
	default:
		m.digits = append(m.digits, key)
		m.invalid = true
	}
	if len(m.digits) > admit.MaxPhoneDigits {
		m.invalid = true
		return m.endEntry()
	}
	return Step{Collect: true}
}

// Timeout takes the end of a wait for a digit: it ends the entry as it is
// (an entry with no digit matches nothing).
func (m *Menu) Timeout() Step {
	if !m.Collecting() {
		return Step{}
	}
	return m.endEntry()
}

// endEntry ends the entry being collected. An empty entry is invalid: `#`
// alone never matches anything.
func (m *Menu) endEntry() Step {
	s, invalid := string(m.digits), m.invalid
	m.resetEntry()
	if m.state == stateEntry {
		// Every entry, known or not, valid or not, is asked for a passcode.
		m.entry, m.entryOK = s, !invalid && s != ""
		m.state = statePasscode
		return Step{Play: []Prompt{PromptEnterPasscode}, Collect: true}
	}
	m.state = stateDeciding
	// An empty passcode is kept: a meeting without one admits with none,
	// and an empty passcode never matches a meeting's passcode.
	return Step{Join: &Attempt{Entry: m.entry, Passcode: s, Invalid: !m.entryOK || invalid}}
}

// Decided takes the decision of the attempt the last step asked for, or of
// the host about a waiting or joined caller (OutcomeAdmitted, OutcomeDenied,
// OutcomeRemoved, OutcomeEnded). opensAt is when a not-yet-open meeting
// opens.
func (m *Menu) Decided(o Outcome, opensAt time.Time) Step {
	switch m.state {
	case stateDeciding:
		return m.decided(o, opensAt)
	case stateWaiting:
		switch o {
		case OutcomeAdmitted:
			m.state = stateBridged
			return Step{Play: []Prompt{PromptJoining}, Bridge: true}
		case OutcomeDenied, OutcomeRemoved, OutcomeEnded, OutcomeFailed:
			return m.hangup(o)
		}
	case stateBridged:
		switch o {
		case OutcomeDenied, OutcomeRemoved, OutcomeEnded, OutcomeFailed:
			return m.hangup(o)
		}
	}
	return Step{}
}

func (m *Menu) decided(o Outcome, opensAt time.Time) Step {
	switch o {
	case OutcomeAdmitted:
		m.state = stateBridged
		return Step{Play: []Prompt{PromptJoining}, Bridge: true}
	case OutcomeWaiting:
		m.state = stateWaiting
		return Step{Play: []Prompt{PromptWait}, Wait: true}
	case OutcomeRefused:
		m.tries++
		if m.tries >= MaxTries {
			m.state = stateDone
			return Step{Play: []Prompt{PromptRefused, PromptGoodbye}, Hangup: true}
		}
		m.state = stateEntry
		return Step{Play: []Prompt{PromptRefused, PromptEnterID}, Collect: true}
	case OutcomeRateLimited:
		m.state = stateDone
		return Step{Play: []Prompt{PromptRefused, PromptGoodbye}, Hangup: true}
	case OutcomeNotOpen:
		m.state = stateDone
		p := append([]Prompt{PromptNotOpen}, SayTime(opensAt)...)
		return Step{Play: append(p, PromptGoodbye), Hangup: true}
	}
	return m.hangup(o)
}

func (m *Menu) hangup(o Outcome) Step {
	m.state = stateDone
	switch o {
	case OutcomeDenied:
		return Step{Play: []Prompt{PromptDenied}, Hangup: true}
	case OutcomeRemoved:
		return Step{Play: []Prompt{PromptRemoved}, Hangup: true}
	case OutcomeEnded:
		return Step{Play: []Prompt{PromptEnded}, Hangup: true}
	}
	return Step{Play: []Prompt{PromptFailed}, Hangup: true}
}

// WaitTick takes the end of a WaitRepeat period in the waiting room.
func (m *Menu) WaitTick() Step {
	if m.state != stateWaiting {
		return Step{}
	}
	return Step{Play: []Prompt{PromptWaitShort}, Wait: true}
}

// Done reports whether the call is over for the menu.
func (m *Menu) Done() bool { return m.state == stateDone }

// SayTime says t in UTC as clips: "December three at fourteen thirty U T C".
func SayTime(t time.Time) []Prompt {
	t = t.UTC()
	p := []Prompt{Prompt("m" + strconv.Itoa(int(t.Month())))}
	p = append(p, SayNumber(t.Day())...)
	p = append(p, PromptAt)
	p = append(p, SayNumber(t.Hour())...)
	switch min := t.Minute(); {
	case min == 0:
		p = append(p, PromptHundred)
	case min < 10:
		p = append(p, PromptOh)
		p = append(p, SayNumber(min)...)
	default:
		p = append(p, SayNumber(min)...)
	}
	return append(p, PromptUTC)
}

// SayNumber says n (0 to 59) as clips: "n20", "n5" for 25.
func SayNumber(n int) []Prompt {
	if n < 0 || n > 59 {
		n = 0
	}
	if n < 20 {
		return []Prompt{Prompt("n" + strconv.Itoa(n))}
	}
	p := []Prompt{Prompt("n" + strconv.Itoa(n/10*10))}
	if n%10 != 0 {
		p = append(p, Prompt("n"+strconv.Itoa(n%10)))
	}
	return p
}

package admit

import "time"

// Admitted is what a store's admission transaction (Store.Admit) decided
// from the rows it read: the new participant's key, the attempt's ID, the
// occurrence's Index, the holder number of a shared credential (see
// NextSharedSeq), the display name and the invitee's public ID.
type Admitted struct {
	ParticipantPK int64
	AttemptID     int64
	Occurrence    int
	Seq           int
	DisplayName   string
	InviteeID     string
}

// ChecksGuessBudget reports whether the admission must read the meeting's
// guess budget before admitting: a guessable credential and a budget set.
// A participant bound for the waiting room anyway is checked too, so that
// a held entry is named as an unmatched one is (HeldName).
func (a *Admission) ChecksGuessBudget() bool {
	return a.Guessable && a.GuessBudget > 0 && a.Participant.Active()
}

// HoldForBudget puts the participant in the waiting room because the
// meeting's guess budget is spent: State waiting, AdmittedAt nil, the
// attempt's outcome waiting with ReasonBudgetSpent, and HeldByBudget set.
func (a *Admission) HoldForBudget() {
	p := a.Participant
	p.State, p.AdmittedAt, a.HeldByBudget = StateWaiting, nil, true
	if a.Attempt != nil {
		a.Attempt.Outcome, a.Attempt.Reason = OutcomeWaiting, ReasonBudgetSpent
	}
}

// AdmittedTime returns the admission time to store for the participant:
// AdmittedAt when set, else JoinedAt for an admitted participant, else nil.
func (p *Participant) AdmittedTime() *time.Time {
	if p.AdmittedAt != nil {
		return p.AdmittedAt
	}
	if p.State == StateAdmitted {
		t := p.JoinedAt
		return &t
	}
	return nil
}

// JoinAttempt returns the attempt an admission records in the audit log:
// a copy of a.Attempt, with Occurrence set to occurrence when it is 0, or,
// when a.Attempt is nil, an attempt built from the participant (outcome
// admitted, or waiting for a waiting participant).
func (a *Admission) JoinAttempt(occurrence int) Attempt {
	if a.Attempt != nil {
		at := *a.Attempt
		if at.Occurrence == 0 {
			at.Occurrence = occurrence
		}
		return at
	}
	p := a.Participant
	at := Attempt{At: p.JoinedAt, OccurrencePK: p.OccurrencePK, Channel: p.Channel, Source: p.Source, Outcome: OutcomeAdmitted}
	if p.State == StateWaiting {
		at.Outcome = OutcomeWaiting
	}
	return at
}

// Apply sets on the admission's participant and attempt what the committed
// transaction decided (r): the participant's PK, Occurrence, DisplayName,
// SharedCredential, InviteeID (when it had none) and AdmittedAt (when
// admitted), and the attempt's ID, ParticipantPK and Occurrence (when 0).
func (a *Admission) Apply(r Admitted) {
	p := a.Participant
	p.PK, p.Occurrence, p.DisplayName, p.SharedCredential = r.ParticipantPK, r.Occurrence, r.DisplayName, r.Seq > 1
	p.SetHold(a.BudgetHold())
	if p.InviteeID == "" {
		p.InviteeID = r.InviteeID
	}
	if p.State == StateAdmitted {
		p.AdmittedAt = p.AdmittedTime()
	}
	if a.Attempt != nil {
		a.Attempt.ID, a.Attempt.ParticipantPK = r.AttemptID, r.ParticipantPK
		if a.Attempt.Occurrence == 0 {
			a.Attempt.Occurrence = r.Occurrence
		}
	}
}

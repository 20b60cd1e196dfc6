package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// The roster's reads and writes outside the join path: the join path's
// statements (Admit, RecordAttempt) stay each store's own.

// FindAttempts lists the meeting's most recent attempts, newest first (all
// of them when limit <= 0).
func (s *Shared) FindAttempts(ctx context.Context, meetingPK int64, limit int) ([]*admit.Attempt, error) {
	query, args := `SELECT id, at, meeting_pk, occurrence_pk, occurrence, channel,
		source, method, outcome, reason, participant_pk FROM attempts WHERE meeting_pk = ?
		ORDER BY id DESC`, []any{meetingPK}
	if limit > 0 {
		query, args = query+` LIMIT ?`, append(args, limit)
	}
	return QueryAll(ctx, s.Read, rowscan.Attempt, query, args...)
}

// participantColumns are rowscan.Participant's, from participantFrom.
const participantColumns = `p.pk, p.id, p.occurrence_pk, o.idx, p.invitee_pk, p.invitee_id, p.display_name,
	p.base_name, p.shared_credential <> 0, p.channel, p.source, p.state, p.joined_at, p.admitted_at, p.left_at, p.budget_hold, p.caller_sealed`

const participantFrom = ` FROM participants p JOIN occurrences o ON o.pk = p.occurrence_pk `

// FindParticipant returns the participant with the public id, with
// Occurrence set. ENOTFOUND.
func (s *Shared) FindParticipant(ctx context.Context, id string) (*admit.Participant, error) {
	return QueryOne(ctx, s.Read, rowscan.Participant, "participant", `SELECT `+participantColumns+participantFrom+`WHERE p.id = ?`, id)
}

// FindParticipants lists the occurrence's participants by join time.
func (s *Shared) FindParticipants(ctx context.Context, occurrencePK int64) ([]*admit.Participant, error) {
	return QueryAll(ctx, s.Read, rowscan.Participant, `SELECT `+participantColumns+participantFrom+
		`WHERE p.occurrence_pk = ? ORDER BY p.joined_at, p.pk`, occurrencePK)
}

// TransitionParticipant moves the participant from one of the states in
// from to state to at now (setting AdmittedAt for admitted, LeftAt for left,
// denied and removed) and returns it. ECONFLICT when it is in none of from;
// ENOTFOUND.
func (s *Shared) TransitionParticipant(ctx context.Context, pk int64, from []string, to string, now time.Time) (*admit.Participant, error) {
	n := Nanos(now.UTC())
	set := `state = ?`
	args := []any{to}
	switch to {
	case admit.StateAdmitted:
		set += `, admitted_at = ?`
		args = append(args, n)
	case admit.StateLeft, admit.StateDenied, admit.StateRemoved:
		set += `, left_at = ?`
		args = append(args, n)
	}
	args = append(args, pk)
	// No state in from: IN (NULL) matches no row (PostgreSQL has no empty
	// IN list).
	in := "NULL"
	if len(from) > 0 {
		in = strings.TrimSuffix(strings.Repeat("?, ", len(from)), ", ")
	}
	for _, st := range from {
		args = append(args, st)
	}
	var p *admit.Participant
	err := s.Write(ctx, Write{}, func(ctx context.Context, q Querier) error {
		changed, err := q.Exec(ctx, `UPDATE participants SET `+set+` WHERE pk = ? AND state IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		p, err = QueryOne(ctx, q, rowscan.Participant, "participant", `SELECT `+participantColumns+participantFrom+`WHERE p.pk = ?`, pk)
		if err != nil {
			return err
		}
		if changed == 0 {
			return &admit.Error{Code: admit.ECONFLICT, Field: "state",
				Message: fmt.Sprintf("The participant is %s.", p.State)}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

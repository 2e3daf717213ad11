package ledger

import (
	"sort"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// TargetStatus is one target's latest outcome, folded from its attempts.
type TargetStatus struct {
	Target
	Outcome     message.Outcome
	Code        message.Code
	Message     string
	HTTPStatus  int
	Attempts    int
	Verified    *bool
	UpdatedAt   time.Time
	ResolvedIDs []string
	Shown       string // an address the provider showed for a user_id target (Attempt.Shown)
}

// Fold picks a target's latest outcome by precedence, not arrival: a final
// outcome (done, already, no_account, failed, would_*) beats changed,
// retrying and pending whatever order they were written in; among final
// outcomes, and among the others, the later attempt wins (so done beats
// failed only when the done came later, as after a successful re-drive,
// and a read-back found wrong after a change shows as retrying). Drift
// (the sweep saw the account active again after it settled) beats every
// other outcome.
func Fold(t Target, attempts []Attempt, requestedAt time.Time) TargetStatus {
	st := TargetStatus{Target: t, Outcome: message.Pending, Attempts: len(attempts), UpdatedAt: requestedAt}
	var best *Attempt
	for i := range attempts {
		a := &attempts[i]
		switch {
		case best == nil:
			best = a
		case (a.Outcome == message.Drift) != (best.Outcome == message.Drift):
			// Drift was seen after the target settled: it stands until a
			// new request revokes the account again.
			if a.Outcome == message.Drift {
				best = a
			}
		case a.Outcome.Final() && !best.Outcome.Final():
			best = a
		case a.Outcome.Final() == best.Outcome.Final() && a.after(*best):
			best = a
		}
		if a.Shown != "" {
			st.Shown = a.Shown
		}
	}
	if best != nil {
		st.Outcome, st.Code, st.Message, st.HTTPStatus = best.Outcome, best.Code, best.Message, best.HTTPStatus
		st.Verified, st.UpdatedAt, st.ResolvedIDs = best.Verified, best.At, best.ResolvedIDs
	}
	return st
}

// Request statuses (docs/design.md §1).
const (
	StatusPending = "pending"
	StatusDone    = "done"
	StatusPartial = "partial"
	StatusFailed  = "failed"
)

// Summarize is a set of targets' status and counts by outcome: pending
// while any target is unsettled, then done (no failure), failed (every
// target failed) or partial.
func Summarize(targets []TargetStatus) (status string, counts map[message.Outcome]int) {
	counts = map[message.Outcome]int{}
	for _, t := range targets {
		counts[t.Outcome]++
	}
	return statusOf(counts), counts
}

// statusOf is the status of targets counted by outcome (Summarize).
func statusOf(counts map[message.Outcome]int) string {
	// A drift target has access again: the request is not done.
	total, failed, settled := 0, counts[message.Failed]+counts[message.Drift], 0
	for o, n := range counts {
		total += n
		if o.Final() {
			settled += n
		}
	}
	switch {
	case settled < total:
		return StatusPending
	case failed == 0:
		return StatusDone
	case failed == total:
		return StatusFailed
	}
	return StatusPartial
}

// Statuses folds every target of a record, in target-key order.
func (rec *Record) Statuses() []TargetStatus {
	out := make([]TargetStatus, len(rec.Targets))
	for i, t := range rec.Targets {
		out[i] = Fold(t, rec.Attempts[t.Key], rec.Request.RequestedAt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

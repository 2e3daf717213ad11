package ratelimit

import "context"

// Priority orders the calls waiting for one connection's budget: a ready
// call of a higher priority always goes first (docs/design.md §4).
type Priority int

// Priorities, highest first.
const (
	// Change is a call on the way to removing (or restoring) access: the
	// look-up that finds the account and the lock, disable, deactivate or
	// PATCH itself. The default.
	Change Priority = iota
	// Proof is a read-back that proves a change.
	Proof
	// Background is any other read: drift re-reads, listings, sweeps.
	Background
	numPriorities
)

// String names the priority (logs, metrics).
func (p Priority) String() string {
	switch p {
	case Change:
		return "change"
	case Proof:
		return "proof"
	case Background:
		return "background"
	}
	return "unknown"
}

type priorityKey struct{}

// WithPriority marks every provider call made with ctx as p.
func WithPriority(ctx context.Context, p Priority) context.Context {
	if p < Change || p >= numPriorities {
		p = Background
	}
	return context.WithValue(ctx, priorityKey{}, p)
}

// PriorityOf is ctx's priority (Change when unmarked).
func PriorityOf(ctx context.Context) Priority {
	if p, ok := ctx.Value(priorityKey{}).(Priority); ok {
		return p
	}
	return Change
}

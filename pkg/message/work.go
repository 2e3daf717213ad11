package message

import (
	"errors"
	"fmt"
	"time"
)

// Kind is what a queue message asks the consumer to do. A change (revoke
// or restore) has no kind; the sweep's background reads (docs/design.md
// §5) have one. They spend the connection's budget after changes and
// proofs, and never change anything at a provider.
type Kind string

// Kinds of background read.
const (
	// KindCheck reads one account revoke revoked (UserID) back: an
	// account seen active again is drift.
	KindCheck Kind = "check"
	// KindList reads the next pages of the connection's orphan listing
	// whose id is RequestID, from where the ledger says it stopped.
	KindList Kind = "list"
)

// Background reports whether m is a background read, not a change.
func (m *Message) Background() bool { return m.Kind != "" }

// NewCheck is the message of a drift check of one account.
func NewCheck(runID, connection, provider, userID string, dryRun bool, at time.Time) Message {
	m := New(Header{RequestID: runID, Action: Revoke, DryRun: dryRun, Source: SourceDrift, Actor: string(SourceSweep), RequestedAt: at},
		Target{Connection: connection, Provider: provider, UserID: userID})
	m.Kind = KindCheck
	return m
}

// NewList is the message that reads a listing's next pages.
func NewList(listingID, connection, provider string, at time.Time) Message {
	m := New(Header{RequestID: listingID, Action: Revoke, Source: SourceOrphans, Actor: string(SourceSweep), RequestedAt: at},
		Target{Connection: connection, Provider: provider})
	m.Kind = KindList
	return m
}

// validateRead checks a background read's fields.
func (m *Message) validateRead() error {
	switch { // version, source and actor: Validate
	case !IsID(m.RequestID):
		return errors.New("message: a background read needs its run or listing id")
	case CheckConnectionName(m.Connection) != nil:
		return errors.New("message: connection is missing")
	case m.Action != Revoke || m.Email != "" || m.Wipe || m.Fanout || m.Reason != "":
		return errors.New("message: a background read changes nothing and names no email")
	}
	switch m.Kind {
	case KindCheck:
		if err := CheckUserID(m.UserID); err != nil {
			return fmt.Errorf("message: user_id: %w", err)
		}
	case KindList:
		if m.UserID != "" || m.DryRun {
			return errors.New("message: a listing names no user")
		}
	default:
		return fmt.Errorf("message: kind %q is unknown", m.Kind)
	}
	return nil
}

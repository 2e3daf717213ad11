package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

const pkDrift = "DRIFT"

// ErrDriftRecorded means the sweep run's drift of the account is already
// recorded (a second check message for it, or a redelivery): nothing new
// to record or alert.
var ErrDriftRecorded = errors.New("ledger: drift already recorded in this sweep run")

// Drift is an account revoke revoked that a later read showed active
// again (docs/design.md §5).
type Drift struct {
	Connection string    `json:"connection"`
	Provider   string    `json:"provider"`
	UserID     string    `json:"user_id"`
	Email      string    `json:"email,omitempty"` // as the provider showed it (checked)
	RequestID  string    `json:"request_id"`      // the revocation
	Key        string    `json:"key"`             // its target
	RevokedAt  time.Time `json:"revoked_at"`
	SeenAt     time.Time `json:"seen_at"`
	Read       string    `json:"read"`   // what the read showed
	OnDrift    string    `json:"action"` // alert, revoke, or would_revoke (a dry run)
	// NewRequestID is the re-revocation's request (on_drift: revoke).
	NewRequestID string `json:"new_request_id,omitempty"`
	// RunID is the sweep run whose check saw it: a run records an
	// account's drift once.
	RunID string `json:"run_id,omitempty"`
}

// RecordDrift records drift: its own record (newest first in the drift
// list) and the outcome drift on the revocation's target, so the status
// API shows that access came back. A sweep run's sighting of an account
// is claimed first (a key "driftseen:<run>:<connection>:<user id>"
// holding when it was seen): a second check of it in the same run (two
// check messages, a redelivery) writes the same items again, with the
// first sighting's time, and gets ErrDriftRecorded, so only the first
// alerts. (The claim comes first so that a delivery cut short between
// the claim and the record loses no record: its redelivery writes it.)
func (l *Ledger) RecordDrift(ctx context.Context, d Drift) error {
	if d.Email != "" && message.CheckEmail(d.Email) != nil {
		d.Email = ""
	}
	old, err := l.ClaimKey(ctx, KeyRecord{Key: "driftseen:" + d.RunID + ":" + d.Connection + ":" + d.UserID, RequestID: d.RequestID, Created: d.SeenAt})
	if err != nil {
		return fmt.Errorf("ledger: record drift: %w", err)
	}
	again := old != nil
	if again {
		d.SeenAt = old.Created // the same items as the first sighting's
	}
	rec := Item{PK: pkDrift, SK: stamp(d.SeenAt) + "#" + d.Connection + "#" + d.UserID, TTL: l.expiry(d.SeenAt), Data: encode(d)}
	att := Attempt{
		RequestID: d.RequestID, Key: d.Key, MessageID: "drift:" + d.UserID, Outcome: message.Drift, At: d.SeenAt, RequestedAt: d.RevokedAt,
		Message: "account " + d.UserID + " was seen active again: " + d.Read, ResolvedIDs: []string{d.UserID},
	}
	if err := l.Store.BatchPut(ctx, []Item{rec}); err != nil {
		return fmt.Errorf("ledger: record drift: %w", err)
	}
	if _, err := l.AppendAttempts(ctx, []Attempt{att}); err != nil { // chained like every attempt
		return fmt.Errorf("ledger: record drift: %w", err)
	}
	if again {
		return ErrDriftRecorded
	}
	return nil
}

// ListDrift returns drift records, newest first, a page at a time.
func (l *Ledger) ListDrift(ctx context.Context, cursor string, limit int) ([]Drift, string, error) {
	p, err := l.Store.Query(ctx, Query{PK: pkDrift, Desc: true, Limit: limit, Cursor: cursor})
	if err != nil {
		return nil, "", fmt.Errorf("ledger: drift: %w", err)
	}
	out := make([]Drift, 0, len(p.Items))
	for _, it := range p.Items {
		var d Drift
		if json.Unmarshal(it.Data, &d) == nil {
			out = append(out, d)
		}
	}
	return out, p.Next, nil
}

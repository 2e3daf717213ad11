package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

const pkDrift = "DRIFT"

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
}

// RecordDrift records drift: its own record (newest first in the drift
// list) and the outcome drift on the revocation's target, so the status
// API shows that access came back. Recording the same sighting again
// writes the same items.
func (l *Ledger) RecordDrift(ctx context.Context, d Drift) error {
	if d.Email != "" && message.CheckEmail(d.Email) != nil {
		d.Email = ""
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

package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// Unresolved is an identity event that names a person revoke could not
// resolve to an email (docs/design.md §1b): recorded, never retried.
type Unresolved struct {
	At        time.Time      `json:"at"`
	Source    message.Source `json:"source"`
	Directory string         `json:"directory,omitempty"`
	UserID    string         `json:"user_id"`
	EventID   string         `json:"event_id"`
	Key       string         `json:"key"`
	Reason    string         `json:"reason"`
}

// RecordUnresolved records an unresolved event. The same event (at, key,
// user) recorded again is the same record: a redelivery adds nothing.
func (l *Ledger) RecordUnresolved(ctx context.Context, u Unresolved) error {
	if u.At.IsZero() {
		u.At = l.now()
	}
	it := Item{PK: pkUnresolved, SK: stamp(u.At) + "#" + u.Key + "#" + u.UserID, TTL: l.expiry(l.now()), Data: encode(u)}
	if err := l.Store.BatchPut(ctx, []Item{it}); err != nil {
		return fmt.Errorf("ledger: record unresolved: %w", err)
	}
	return nil
}

// ListUnresolved returns unresolved events, newest first, a page at a time.
func (l *Ledger) ListUnresolved(ctx context.Context, cursor string, limit int) ([]Unresolved, string, error) {
	p, err := l.Store.Query(ctx, Query{PK: pkUnresolved, Desc: true, Limit: limit, Cursor: cursor})
	if err != nil {
		return nil, "", fmt.Errorf("ledger: unresolved: %w", err)
	}
	out := make([]Unresolved, 0, len(p.Items))
	for _, it := range p.Items {
		var u Unresolved
		if json.Unmarshal(it.Data, &u) == nil {
			out = append(out, u)
		}
	}
	return out, p.Next, nil
}

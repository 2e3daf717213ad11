package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// Account marks: the accounts revoke revoked or restored (done or
// already, never a dry run), one partition per connection, so the drift
// check re-reads exactly those (docs/design.md §5). A revoke and a restore
// of the same account are kept apart ("R#" and "U#"), so the order in
// which deliveries are recorded cannot lose a restore: an account is
// revoked when its latest revoke is later than its latest restore.
const (
	pkMarks     = "MARK#"
	skRevoked   = "R#"
	skRestored  = "U#"
	maxMarkPage = 1000
)

// Mark is an account a request revoked or restored.
type Mark struct {
	Connection string         `json:"connection"`
	UserID     string         `json:"user_id"`
	Action     message.Action `json:"action"`
	RequestID  string         `json:"request_id"`
	Key        string         `json:"key"` // the request's target key
	At         time.Time      `json:"at"`  // the request's requested_at
}

func markSK(a message.Action, userID string) string {
	if a == message.Restore {
		return skRestored + userID
	}
	return skRevoked + userID
}

// PutMarks records accounts revoked or restored, batched.
func (l *Ledger) PutMarks(ctx context.Context, marks []Mark) error {
	if len(marks) == 0 {
		return nil
	}
	items := make([]Item, len(marks))
	for i, m := range marks {
		items[i] = Item{PK: pkMarks + m.Connection, SK: markSK(m.Action, m.UserID), TTL: l.expiry(m.At), Data: encode(m)}
	}
	if err := l.Store.BatchPut(ctx, items); err != nil {
		return fmt.Errorf("ledger: account marks: %w", err)
	}
	return nil
}

// RevokedPage returns a page of a connection's accounts whose latest
// change through revoke is a revoke made at or after since, and the cursor
// of the next page ("" after the last). Each page costs one query and one
// batched read of the restores.
func (l *Ledger) RevokedPage(ctx context.Context, connection string, since time.Time, cursor string, limit int) ([]Mark, string, error) {
	if limit <= 0 || limit > maxMarkPage {
		limit = maxMarkPage
	}
	p, err := l.Store.Query(ctx, Query{PK: pkMarks + connection, Prefix: skRevoked, Limit: limit, Cursor: cursor})
	if err != nil {
		return nil, "", fmt.Errorf("ledger: revoked accounts: %w", err)
	}
	revoked := make([]Mark, 0, len(p.Items))
	keys := make([]Key, 0, len(p.Items))
	for _, it := range p.Items {
		var m Mark
		if json.Unmarshal(it.Data, &m) != nil || m.At.Before(since) {
			continue
		}
		revoked = append(revoked, m)
		keys = append(keys, Key{PK: it.PK, SK: markSK(message.Restore, m.UserID)})
	}
	restored, err := l.restores(ctx, keys)
	if err != nil {
		return nil, "", err
	}
	out := revoked[:0]
	for _, m := range revoked {
		if r, ok := restored[m.UserID]; !ok || !r.After(m.At) {
			out = append(out, m)
		}
	}
	return out, p.Next, nil
}

func (l *Ledger) restores(ctx context.Context, keys []Key) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for i := 0; i < len(keys); i += 100 {
		items, err := l.Store.BatchGet(ctx, keys[i:min(i+100, len(keys))])
		if err != nil {
			return nil, fmt.Errorf("ledger: restored accounts: %w", err)
		}
		for _, it := range items {
			var m Mark
			if json.Unmarshal(it.Data, &m) == nil {
				out[m.UserID] = m.At
			}
		}
	}
	return out, nil
}

// Revoked returns the account's latest revoke when it is later than its
// latest restore through revoke, or nil: a restore made through revoke
// after the revocation is not drift.
func (l *Ledger) Revoked(ctx context.Context, connection, userID string) (*Mark, error) {
	items, err := l.Store.BatchGet(ctx, []Key{
		{PK: pkMarks + connection, SK: markSK(message.Revoke, userID)},
		{PK: pkMarks + connection, SK: markSK(message.Restore, userID)},
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: account mark: %w", err)
	}
	var rev, res *Mark
	for _, it := range items {
		var m Mark
		if json.Unmarshal(it.Data, &m) != nil {
			continue
		}
		if m.Action == message.Restore {
			res = &m
		} else {
			rev = &m
		}
	}
	if rev == nil || (res != nil && res.At.After(rev.At)) {
		return nil, nil
	}
	return rev, nil
}

// RevokedAmong reports which of a connection's accounts revoke revoked
// (their latest change through revoke is a revoke): such an account is no
// orphan, and if it is active again, that is drift. One batched read per
// 50 accounts.
func (l *Ledger) RevokedAmong(ctx context.Context, connection string, userIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	for i := 0; i < len(userIDs); i += 50 {
		chunk := userIDs[i:min(i+50, len(userIDs))]
		keys := make([]Key, 0, 2*len(chunk))
		for _, id := range chunk {
			keys = append(keys, Key{PK: pkMarks + connection, SK: markSK(message.Revoke, id)}, Key{PK: pkMarks + connection, SK: markSK(message.Restore, id)})
		}
		items, err := l.Store.BatchGet(ctx, keys)
		if err != nil {
			return nil, fmt.Errorf("ledger: account marks: %w", err)
		}
		rev, res := map[string]time.Time{}, map[string]time.Time{}
		for _, it := range items {
			var m Mark
			if json.Unmarshal(it.Data, &m) != nil {
				continue
			}
			if m.Action == message.Restore {
				res[m.UserID] = m.At
			} else {
				rev[m.UserID] = m.At
			}
		}
		for id, at := range rev {
			if r, ok := res[id]; !ok || !r.After(at) {
				out[id] = true
			}
		}
	}
	return out, nil
}

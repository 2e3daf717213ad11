package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// Account marks: the accounts revoke revoked or restored for good (done or
// already, never a dry run), so the drift check re-reads exactly those
// (docs/design.md §5). A mark is the settling attempt itself, indexed in
// G2 under MARK#<connection> by "<user id>#<requested at>" — no item of
// its own, so it costs the consumer no write. (An email target that
// resolved to several accounts marks the others with items of their own.)
// An account's marks are read together, oldest first: it is revoked when
// its latest revoke is later than its latest restore, whatever order the
// deliveries were recorded in.
const (
	pkMarks     = "MARK#"
	maxMarkPage = 1000
	maxMarks    = 1000 // marks read of one account
)

// MarkRef names the account an attempt changed for good.
type MarkRef struct {
	Connection string         `json:"connection"`
	UserID     string         `json:"user_id"`
	Action     message.Action `json:"action"`
}

func (m *MarkRef) valid() bool {
	return m != nil && message.CheckUserID(m.UserID) == nil && message.CheckConnectionName(m.Connection) == nil && m.Action.Valid()
}

// markKeys are a mark's G2 keys.
func markKeys(connection, userID string, requestedAt time.Time) (pk, sk string) {
	return pkMarks + connection, userID + "#" + stamp(requestedAt)
}

// Mark is an account a request revoked or restored.
type Mark struct {
	Connection string
	UserID     string
	Action     message.Action
	RequestID  string
	Key        string    // the request's target key
	At         time.Time // the request's requested_at
}

// markData is what a mark item holds: the fields of an attempt a mark
// reads, so attempts and mark items decode alike.
type markData struct {
	RequestID   string    `json:"request_id"`
	Key         string    `json:"key"`
	RequestedAt time.Time `json:"requested_at"`
	Mark        *MarkRef  `json:"mark"`
}

func decodeMark(it Item) (Mark, bool) {
	var d markData
	if json.Unmarshal(it.Data, &d) != nil || !d.Mark.valid() {
		return Mark{}, false
	}
	return Mark{Connection: d.Mark.Connection, UserID: d.Mark.UserID, Action: d.Mark.Action, RequestID: d.RequestID, Key: d.Key, At: d.RequestedAt}, true
}

// PutMarks records marks that no attempt carries (an email target's other
// accounts), batched.
func (l *Ledger) PutMarks(ctx context.Context, marks []Mark) error {
	if len(marks) == 0 {
		return nil
	}
	items := make([]Item, 0, len(marks))
	for _, m := range marks {
		ref := &MarkRef{Connection: m.Connection, UserID: m.UserID, Action: m.Action}
		if !ref.valid() {
			continue
		}
		g2pk, g2sk := markKeys(m.Connection, m.UserID, m.At)
		items = append(items, Item{PK: g2pk, SK: g2sk + "#" + m.RequestID, G2PK: g2pk, G2SK: g2sk, TTL: l.expiry(m.At),
			Data: encode(markData{RequestID: m.RequestID, Key: m.Key, RequestedAt: m.At, Mark: ref})})
	}
	if err := l.Store.BatchPut(ctx, items); err != nil {
		return fmt.Errorf("ledger: account marks: %w", err)
	}
	return nil
}

// latest folds one account's marks: its latest revoke, if no restore
// through revoke came after it.
func latest(marks []Mark) *Mark {
	var rev, res *Mark
	for i := range marks {
		m := &marks[i]
		switch {
		case m.Action == message.Restore && (res == nil || m.At.After(res.At)):
			res = m
		case m.Action == message.Revoke && (rev == nil || m.At.After(rev.At)):
			rev = m
		}
	}
	if rev == nil || (res != nil && res.At.After(rev.At)) {
		return nil
	}
	return rev
}

// Revoked returns the account's latest revoke when it is later than its
// latest restore through revoke, or nil: a restore made through revoke
// after the revocation is not drift. One query.
func (l *Ledger) Revoked(ctx context.Context, connection, userID string) (*Mark, error) {
	if message.CheckUserID(userID) != nil {
		return nil, nil
	}
	items, err := queryAll(ctx, l.Store, Query{Index: G2, PK: pkMarks + connection, Prefix: userID + "#"}, maxMarks)
	if err != nil {
		return nil, fmt.Errorf("ledger: account marks: %w", err)
	}
	marks := make([]Mark, 0, len(items))
	for _, it := range items {
		if m, ok := decodeMark(it); ok && m.UserID == userID {
			marks = append(marks, m)
		}
	}
	return latest(marks), nil
}

// RevokedPage returns a page of a connection's accounts whose latest change
// through revoke (within the page) is a revoke made at or after since, and
// the cursor of the next page ("" after the last); one query a page. An
// account whose marks span two pages may be returned although a later
// restore follows on the next: the drift check asks Revoked again before
// calling anything drift.
func (l *Ledger) RevokedPage(ctx context.Context, connection string, since time.Time, cursor string, limit int) ([]Mark, string, error) {
	if limit <= 0 || limit > maxMarkPage {
		limit = maxMarkPage
	}
	p, err := l.Store.Query(ctx, Query{Index: G2, PK: pkMarks + connection, Limit: limit, Cursor: cursor})
	if err != nil {
		return nil, "", fmt.Errorf("ledger: revoked accounts: %w", err)
	}
	var out, group []Mark
	flush := func() {
		if m := latest(group); m != nil && !m.At.Before(since) {
			out = append(out, *m)
		}
		group = group[:0]
	}
	for _, it := range p.Items {
		m, ok := decodeMark(it)
		if !ok {
			continue
		}
		if len(group) > 0 && group[0].UserID != m.UserID {
			flush()
		}
		group = append(group, m)
	}
	flush()
	return out, p.Next, nil
}

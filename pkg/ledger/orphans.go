package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// A connection's orphan report (docs/design.md §1 "Orphaned accounts"):
// the report of its latest complete listing, compared with the directory,
// and one entry per orphaned or excepted account, under the listing's id.
// A new report replaces the old one in one write of its head item, so a
// reader never sees two reports mixed.
const (
	pkOrphans = "ORPHANS#"
	skOrphan  = "O#"
	// ReportTTL keeps a report's entries after it was replaced, so a
	// reader that started on it can finish.
	ReportTTL = 30 * 24 * time.Hour
)

// Orphan statuses.
const (
	StatusOrphan   = "orphan"
	StatusExcepted = "excepted"
)

// OrphanReport is the head of a connection's latest report.
type OrphanReport struct {
	Connection string    `json:"connection"`
	Provider   string    `json:"provider"`
	ListingID  string    `json:"listing_id"`
	ListedAt   time.Time `json:"listed_at"`   // when the listing finished
	Directory  []string  `json:"directory"`   // the sources compared
	Accounts   int       `json:"accounts"`    // accounts listed
	Orphans    int       `json:"orphans"`     // status orphan
	Excepted   int       `json:"excepted"`    // status excepted
	ComparedAt time.Time `json:"compared_at"` // when the comparison ran
}

// Orphan is one account of a report.
type Orphan struct {
	UserID     string     `json:"user_id"`
	Email      string     `json:"email"`
	LastSignIn *time.Time `json:"last_sign_in"`
	FirstSeen  time.Time  `json:"first_seen"`
	Status     string     `json:"status"`
	ExceptedBy string     `json:"excepted_by,omitempty"`
}

func orphansKey(connection string) Key { return Key{PK: pkOrphans + connection, SK: skMeta} }

func orphanSK(listingID, userID string) string { return skOrphan + listingID + "#" + userID }

// PutOrphans writes entries of a report that is not yet the head.
func (l *Ledger) PutOrphans(ctx context.Context, r OrphanReport, entries []Orphan) error {
	items := make([]Item, len(entries))
	ttl := r.ComparedAt.Add(ReportTTL).Unix()
	for i, o := range entries {
		items[i] = Item{PK: pkOrphans + r.Connection, SK: orphanSK(r.ListingID, o.UserID), TTL: ttl, Data: encode(o)}
	}
	if err := l.Store.BatchPut(ctx, items); err != nil {
		return fmt.Errorf("ledger: orphans: %w", err)
	}
	return nil
}

// PublishOrphans makes r the connection's report.
func (l *Ledger) PublishOrphans(ctx context.Context, r OrphanReport) error {
	it := Item{PK: pkOrphans + r.Connection, SK: skMeta, Data: encode(r)}
	if err := l.Store.BatchPut(ctx, []Item{it}); err != nil {
		return fmt.Errorf("ledger: publish orphans: %w", err)
	}
	return nil
}

// Orphans returns a connection's report, or nil before its first.
func (l *Ledger) Orphans(ctx context.Context, connection string) (*OrphanReport, error) {
	var r OrphanReport
	found, _, err := l.getJSON(ctx, orphansKey(connection), &r)
	if err != nil {
		return nil, fmt.Errorf("ledger: orphan report: %w", err)
	}
	if !found {
		return nil, nil
	}
	return &r, nil
}

// OrphanPage returns a page of a report's entries in user-id order. The
// cursor is the last user id of the previous page, so it stays valid only
// for the report it was read from.
func (l *Ledger) OrphanPage(ctx context.Context, r *OrphanReport, cursor string, limit int) ([]Orphan, string, error) {
	q := Query{PK: pkOrphans + r.Connection, Prefix: orphanSK(r.ListingID, ""), Limit: limit + 1}
	if cursor != "" {
		if message.CheckUserID(cursor) != nil {
			return nil, "", ErrCursor
		}
		q.Prefix, q.Above = "", orphanSK(r.ListingID, cursor)
	}
	p, err := l.Store.Query(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("ledger: orphans: %w", err)
	}
	prefix := orphanSK(r.ListingID, "")
	out := make([]Orphan, 0, len(p.Items))
	for _, it := range p.Items {
		if !strings.HasPrefix(it.SK, prefix) {
			break
		}
		var o Orphan
		if json.Unmarshal(it.Data, &o) == nil {
			out = append(out, o)
		}
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].UserID
	}
	return out, next, nil
}

// PriorOrphans returns the entries of a report for the given user ids
// (the previous report's first_seen carries over), by user id.
func (l *Ledger) PriorOrphans(ctx context.Context, r *OrphanReport, userIDs []string) (map[string]Orphan, error) {
	out := map[string]Orphan{}
	if r == nil {
		return out, nil
	}
	for i := 0; i < len(userIDs); i += 100 {
		keys := make([]Key, 0, 100)
		for _, id := range userIDs[i:min(i+100, len(userIDs))] {
			keys = append(keys, Key{PK: pkOrphans + r.Connection, SK: orphanSK(r.ListingID, id)})
		}
		items, err := l.Store.BatchGet(ctx, keys)
		if err != nil {
			return nil, fmt.Errorf("ledger: prior orphans: %w", err)
		}
		for _, it := range items {
			var o Orphan
			if json.Unmarshal(it.Data, &o) == nil {
				out[o.UserID] = o
			}
		}
	}
	return out, nil
}

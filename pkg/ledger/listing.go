package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// A connection's orphan listing (docs/design.md §5): one state item per
// connection, advanced page by page with a version check so two
// deliveries of the same page cannot both advance it, and the listed
// accounts under the listing's id. A listing is compared with the
// directory only once it is done, so half a list never makes orphans.
const (
	pkListing  = "LISTING#"
	pkListed   = "LISTED#"
	ListingTTL = 14 * 24 * time.Hour
	// MaxListed bounds one listing (a larger connection is listed up to
	// here and reported incomplete, never compared).
	MaxListed = 1_000_000
)

// ErrListingMoved means the listing changed since it was read (another
// delivery advanced it, or a new listing replaced it).
var ErrListingMoved = errors.New("ledger: the listing changed since it was read")

// Listing is the state of a connection's latest orphan listing.
type Listing struct {
	ID         string    `json:"id"`
	Connection string    `json:"connection"`
	StartedAt  time.Time `json:"started_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Cursor     string    `json:"cursor,omitempty"` // where the next page starts
	Pages      int       `json:"pages"`
	Accounts   int       `json:"accounts"`
	Done       bool      `json:"done"`             // every page was read
	Compared   bool      `json:"compared"`         // its orphan report is written
	Failed     string    `json:"failed,omitempty"` // why it stopped for good
	// Comparing is how far a comparison cut short got (nil: none began).
	Comparing *CompareProgress `json:"comparing,omitempty"`
	Version   int64            `json:"-"`
}

// CompareProgress is how far a comparison cut short got: the listing's
// next page to compare and the report's counts so far, so the next run
// continues it instead of starting over (docs/design.md §5). The entries
// already written are under the listing's id, unpublished.
type CompareProgress struct {
	Cursor     string    `json:"cursor"`
	ComparedAt time.Time `json:"compared_at"`
	Accounts   int       `json:"accounts"`
	Orphans    int       `json:"orphans"`
	Excepted   int       `json:"excepted"`
}

// ListedAccount is one account a listing read.
type ListedAccount struct {
	UserID     string    `json:"user_id"`
	Email      string    `json:"email,omitempty"`
	Also       []string  `json:"also,omitempty"` // its other addresses, lower-cased
	Disabled   bool      `json:"disabled,omitempty"`
	LastSignIn time.Time `json:"last_sign_in,omitempty"`
}

func listingKey(connection string) Key { return Key{PK: pkListing + connection, SK: skMeta} }

// Listing returns a connection's latest listing, or nil.
func (l *Ledger) Listing(ctx context.Context, connection string) (*Listing, error) {
	var s Listing
	found, ver, err := l.getJSON(ctx, listingKey(connection), &s)
	if err != nil {
		return nil, fmt.Errorf("ledger: listing: %w", err)
	}
	if !found {
		return nil, nil
	}
	s.Version = ver
	return &s, nil
}

// SaveListing writes s if the stored listing still has s.Version (0: none
// is stored), and advances s.Version. ErrListingMoved otherwise.
func (l *Ledger) SaveListing(ctx context.Context, s *Listing) error {
	it := Item{PK: pkListing + s.Connection, SK: skMeta, TTL: s.UpdatedAt.Add(ListingTTL).Unix(), Ver: s.Version + 1, Data: encode(s)}
	w := Write{Put: &it, IfAbsent: s.Version == 0}
	if s.Version != 0 {
		v := s.Version
		w.IfVer = &v
	}
	err := l.Store.Write(ctx, w)
	if errors.Is(err, ErrCondition) {
		return ErrListingMoved
	}
	if err != nil {
		return fmt.Errorf("ledger: save listing: %w", err)
	}
	s.Version++
	return nil
}

func listedPK(connection, listingID string) string { return pkListed + connection + "#" + listingID }

// PutListed records accounts a listing read (the same account again is
// the same item).
func (l *Ledger) PutListed(ctx context.Context, s *Listing, accounts []ListedAccount) error {
	items := make([]Item, len(accounts))
	ttl := s.StartedAt.Add(ListingTTL).Unix()
	for i, a := range accounts {
		items[i] = Item{PK: listedPK(s.Connection, s.ID), SK: a.UserID, TTL: ttl, Data: encode(a)}
	}
	if err := l.Store.BatchPut(ctx, items); err != nil {
		return fmt.Errorf("ledger: listed accounts: %w", err)
	}
	return nil
}

// ListedPage returns a page of a listing's accounts in user-id order.
func (l *Ledger) ListedPage(ctx context.Context, s *Listing, cursor string, limit int) ([]ListedAccount, string, error) {
	p, err := l.Store.Query(ctx, Query{PK: listedPK(s.Connection, s.ID), Limit: limit, Cursor: cursor})
	if err != nil {
		return nil, "", fmt.Errorf("ledger: listed accounts: %w", err)
	}
	out := make([]ListedAccount, 0, len(p.Items))
	for _, it := range p.Items {
		var a ListedAccount
		if json.Unmarshal(it.Data, &a) == nil && a.UserID != "" {
			out = append(out, a)
		}
	}
	return out, p.Next, nil
}

package ledger

import (
	"context"
	"errors"
)

// Item is one ledger record as a Store keeps it: a partition key and a
// sort key, up to two secondary index keys, an expiry, a version for
// conditional writes and an opaque JSON payload.
type Item struct {
	PK, SK     string
	G1PK, G1SK string // index 1 (optional: both or neither)
	G2PK, G2SK string // index 2 (optional: both or neither)
	TTL        int64  // expiry, Unix seconds; 0: never
	Ver        int64  // version, for Write.IfVer
	Data       []byte // JSON
}

// Key is an item's primary key.
func (it Item) Key() Key { return Key{PK: it.PK, SK: it.SK} }

// Key is a primary key.
type Key struct{ PK, SK string }

// Index names the table or one of its secondary indexes.
type Index int

// Indexes.
const (
	Base Index = iota
	G1
	G2
)

// Query selects items of one partition of an index, in sort-key order.
// At most one of Prefix, Below and Above is set.
type Query struct {
	Index  Index
	PK     string
	Prefix string // sort key begins with Prefix
	Below  string // sort key < Below
	Above  string // sort key > Above
	Desc   bool
	Limit  int    // items per page (0: the store's page size)
	Cursor string // Page.Next of the previous page
}

// Page is one page of a query. Next is empty on the last page.
type Page struct {
	Items []Item
	Next  string
}

// Write is one conditional write of a transaction.
type Write struct {
	Put      *Item
	Delete   *Key
	IfAbsent bool   // only if no live item has the key
	IfVer    *int64 // only if the live item has this version
}

// maxTransaction is the most writes one Store.Write takes (DynamoDB's
// TransactWriteItems: 100).
const maxTransaction = 100

// ErrCondition means a conditional write found the item in another state.
var ErrCondition = errors.New("ledger: condition failed")

// Store is a sorted key-value table with two secondary indexes: DynamoDB in
// a deployment, memory in the demo, the benchmarks and unit tests. Items
// whose TTL has passed are invisible to every read and count as absent
// for IfAbsent, whether or not they were deleted yet. Implementations are
// safe for concurrent use.
type Store interface {
	// Get returns the live item with key, or nil. Reads of the table are
	// strongly consistent.
	Get(ctx context.Context, k Key) (*Item, error)
	// BatchGet returns the live items among keys (any order).
	BatchGet(ctx context.Context, keys []Key) ([]Item, error)
	// BatchPut writes items unconditionally, in as few calls as the store
	// allows (DynamoDB: transactions of 100 puts; atomic per call only).
	BatchPut(ctx context.Context, items []Item) error
	// Write applies at most maxTransaction writes atomically: all or none
	// (ErrCondition when a condition fails).
	Write(ctx context.Context, writes ...Write) error
	// Query returns one page.
	Query(ctx context.Context, q Query) (Page, error)
	// Count counts the live items a query selects (all pages).
	Count(ctx context.Context, q Query) (int, error)
}

// queryAll reads every page of a query, up to max items (0: no bound).
func queryAll(ctx context.Context, s Store, q Query, max int) ([]Item, error) {
	var out []Item
	err := walk(ctx, s, q, func(items []Item) bool {
		out = append(out, items...)
		return max <= 0 || len(out) < max
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// walk gives fn q's items a store page at a time, from q.Cursor to the
// last page or until fn returns false. A failed read returns the store's
// error as it is (the caller says what it was reading).
func walk(ctx context.Context, s Store, q Query, fn func(page []Item) (more bool)) error {
	for {
		p, err := s.Query(ctx, q)
		if err != nil {
			return err
		}
		if !fn(p.Items) || p.Next == "" {
			return nil
		}
		q.Cursor = p.Next
	}
}

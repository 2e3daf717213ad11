package inmem

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// pageBytes is the most a page holds, as DynamoDB's 1 MB: a query's page
// count here is the one the table would need.
const pageBytes = 1 << 20

// Store is a ledger.Store in memory with DynamoDB's semantics: expired
// items are invisible and absent for conditions, queries page at 1 MB,
// secondary indexes are sparse. Safe for concurrent use.
type Store struct {
	mu    sync.Mutex
	items map[ledger.Key]ledger.Item
	// parts indexes the items by partition, per index (ledger.Base, G1,
	// G2), so a query reads its partition, not the table.
	parts [3]map[string]map[ledger.Key]struct{}
	// order caches each partition's keys in index order until the next
	// write, so paging through a partition sorts it once, not per page.
	order map[partition][]ledger.Key
	now   func() time.Time

	// Calls counts the calls a DynamoDB store would make (a BatchPut of
	// 250 items is 3 calls), for the benchmarks.
	Calls atomic.Int64
	// Fail, when set, makes every call fail with its error (a ledger outage).
	fail atomic.Pointer[error]
}

var _ ledger.Store = (*Store)(nil)

// NewStore returns an empty store on the given clock (nil: time.Now).
func NewStore(now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	st := &Store{items: map[ledger.Key]ledger.Item{}, order: map[partition][]ledger.Key{}, now: now}
	for i := range st.parts {
		st.parts[i] = map[string]map[ledger.Key]struct{}{}
	}
	return st
}

// partition names one partition of one index.
type partition struct {
	ix ledger.Index
	pk string
}

// put stores it (replacing its key's item) and indexes it; s.mu is held.
func (s *Store) put(it ledger.Item) {
	s.remove(it.Key())
	clear(s.order)
	it.Data = slices.Clone(it.Data)
	s.items[it.Key()] = it
	for ix := range s.parts {
		if pk, _ := indexKeys(it, ledger.Index(ix)); pk != "" {
			part := s.parts[ix][pk]
			if part == nil {
				part = map[ledger.Key]struct{}{}
				s.parts[ix][pk] = part
			}
			part[it.Key()] = struct{}{}
		}
	}
}

// remove deletes k's item and its index entries; s.mu is held.
func (s *Store) remove(k ledger.Key) {
	old, ok := s.items[k]
	if !ok {
		return
	}
	delete(s.items, k)
	clear(s.order)
	for ix := range s.parts {
		if pk, _ := indexKeys(old, ledger.Index(ix)); pk != "" {
			delete(s.parts[ix][pk], k)
			if len(s.parts[ix][pk]) == 0 {
				delete(s.parts[ix], pk)
			}
		}
	}
}

// SetFailure makes every call fail with err until called with nil.
func (s *Store) SetFailure(err error) {
	if err == nil {
		s.fail.Store(nil)
		return
	}
	s.fail.Store(&err)
}

func (s *Store) call(n int) error {
	s.Calls.Add(int64(n))
	if e := s.fail.Load(); e != nil {
		return *e
	}
	return nil
}

func (s *Store) live(it ledger.Item) bool { return it.TTL == 0 || it.TTL > s.now().Unix() }

// Get implements ledger.Store.
func (s *Store) Get(_ context.Context, k ledger.Key) (*ledger.Item, error) {
	if err := s.call(1); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[k]
	if !ok || !s.live(it) {
		return nil, nil
	}
	it.Data = slices.Clone(it.Data)
	return &it, nil
}

// BatchGet implements ledger.Store.
func (s *Store) BatchGet(_ context.Context, keys []ledger.Key) ([]ledger.Item, error) {
	if err := s.call((len(keys) + 99) / 100); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ledger.Item
	seen := map[ledger.Key]bool{}
	for _, k := range keys {
		if it, ok := s.items[k]; ok && s.live(it) && !seen[k] {
			seen[k] = true
			out = append(out, it)
		}
	}
	return out, nil
}

// BatchPut implements ledger.Store.
func (s *Store) BatchPut(_ context.Context, items []ledger.Item) error {
	if err := s.call((len(items) + 99) / 100); err != nil { // transactions of 100 puts
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, it := range items {
		s.put(it)
	}
	return nil
}

// Write implements ledger.Store. Like a DynamoDB transaction, it takes at
// most 100 writes.
func (s *Store) Write(_ context.Context, writes ...ledger.Write) error {
	if err := s.call(1); err != nil {
		return err
	}
	if len(writes) > 100 {
		return fmt.Errorf("inmem: %d writes in one transaction, at most 100", len(writes))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range writes {
		k := ledger.Key{}
		if w.Put != nil {
			k = w.Put.Key()
		} else {
			k = *w.Delete
		}
		cur, ok := s.items[k]
		ok = ok && s.live(cur)
		if (w.IfAbsent && ok) || (w.IfVer != nil && (!ok || cur.Ver != *w.IfVer)) {
			return ledger.ErrCondition
		}
	}
	for _, w := range writes {
		if w.Put != nil {
			s.put(*w.Put)
		} else {
			s.remove(*w.Delete)
		}
	}
	return nil
}

type cursor struct {
	SK, PK, BaseSK string
}

func indexKeys(it ledger.Item, ix ledger.Index) (pk, sk string) {
	switch ix {
	case ledger.G1:
		return it.G1PK, it.G1SK
	case ledger.G2:
		return it.G2PK, it.G2SK
	}
	return it.PK, it.SK
}

// ordered returns keys of q's partition in index order (sort key, then
// primary key), every key q may match among them; s.mu is held. A query
// that pages on (it has a cursor) gets the whole partition, sorted once
// between writes and kept, so paging through it sorts it once, not per
// page; a first page sorts only the keys that match, as a write-heavy
// partition would otherwise be sorted whole for every query.
func (s *Store) ordered(q ledger.Query) []ledger.Key {
	pt := partition{q.Index, q.PK}
	if keys, ok := s.order[pt]; ok {
		return keys
	}
	keys := make([]ledger.Key, 0, len(s.parts[q.Index][q.PK]))
	for k := range s.parts[q.Index][q.PK] {
		if q.Cursor != "" || s.matches(s.items[k], q) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b ledger.Key) int { return compare(s.items[a], s.items[b], q.Index) })
	if q.Cursor != "" {
		s.order[pt] = keys
	}
	return keys
}

// bounds returns the part [lo, hi) of keys (in index order) whose sort
// keys meet q's Above, Below and Prefix: a page reads its range, not the
// partition. Keys with a prefix are contiguous in that order.
func (s *Store) bounds(keys []ledger.Key, q ledger.Query) (lo, hi int) {
	sk := func(i int) string { _, k := indexKeys(s.items[keys[i]], q.Index); return k }
	lo, hi = 0, len(keys)
	if q.Above != "" {
		lo = max(lo, sort.Search(len(keys), func(i int) bool { return sk(i) > q.Above }))
	}
	if q.Below != "" {
		hi = min(hi, sort.Search(len(keys), func(i int) bool { return sk(i) >= q.Below }))
	}
	if q.Prefix != "" {
		lo = max(lo, sort.Search(len(keys), func(i int) bool { return sk(i) >= q.Prefix }))
		hi = min(hi, sort.Search(len(keys), func(i int) bool { k := sk(i); return k >= q.Prefix && !strings.HasPrefix(k, q.Prefix) }))
	}
	return lo, max(lo, hi)
}

// matches reports whether it is live and within q's sort-key condition.
func (s *Store) matches(it ledger.Item, q ledger.Query) bool {
	_, sk := indexKeys(it, q.Index)
	switch {
	case !s.live(it):
		return false
	case q.Prefix != "" && !strings.HasPrefix(sk, q.Prefix):
		return false
	case q.Below != "" && sk >= q.Below:
		return false
	case q.Above != "" && sk <= q.Above:
		return false
	}
	return true
}

func compare(a, b ledger.Item, ix ledger.Index) int {
	_, as := indexKeys(a, ix)
	_, bs := indexKeys(b, ix)
	if c := strings.Compare(as, bs); c != 0 || ix == ledger.Base {
		return c
	}
	if c := strings.Compare(a.PK, b.PK); c != 0 {
		return c
	}
	return strings.Compare(a.SK, b.SK)
}

// Query implements ledger.Store.
func (s *Store) Query(_ context.Context, q ledger.Query) (ledger.Page, error) {
	if err := s.call(1); err != nil {
		return ledger.Page{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := s.ordered(q)
	lo, hi := s.bounds(keys, q)
	// Walk q's sort-key range forwards, or backwards for Desc, from just
	// past the cursor.
	i, step := lo, 1
	if q.Desc {
		i, step = hi-1, -1
	}
	if q.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		var c cursor
		if err != nil || json.Unmarshal(b, &c) != nil {
			return ledger.Page{}, ledger.ErrCursor
		}
		last := ledger.Item{PK: c.PK, SK: c.BaseSK}
		switch q.Index {
		case ledger.G1:
			last.G1SK = c.SK
		case ledger.G2:
			last.G2SK = c.SK
		default:
			last.SK = c.SK
		}
		// The first key after last (ascending): every key before it
		// compares at most equal.
		after, _ := slices.BinarySearchFunc(keys, last, func(k ledger.Key, l ledger.Item) int {
			if compare(s.items[k], l, q.Index) <= 0 {
				return -1
			}
			return 1
		})
		i = max(after, lo)
		if q.Desc {
			// The last key before last.
			before, _ := slices.BinarySearchFunc(keys, last, func(k ledger.Key, l ledger.Item) int {
				if compare(s.items[k], l, q.Index) < 0 {
					return -1
				}
				return 1
			})
			i = min(before, hi) - 1
		}
	}
	var p ledger.Page
	size := 0
	full := false
	for ; i >= lo && i < hi; i += step {
		it := s.items[keys[i]]
		if !s.matches(it, q) {
			continue
		}
		if full {
			// Another item follows the full page: it needs a cursor.
			last := p.Items[len(p.Items)-1]
			_, sk := indexKeys(last, q.Index)
			b, _ := json.Marshal(cursor{SK: sk, PK: last.PK, BaseSK: last.SK})
			p.Next = base64.RawURLEncoding.EncodeToString(b)
			break
		}
		it.Data = slices.Clone(it.Data)
		p.Items = append(p.Items, it)
		size += len(it.Data) + len(it.PK) + len(it.SK) + len(it.G1PK) + len(it.G1SK) + len(it.G2PK) + len(it.G2SK) + 20
		full = q.Limit > 0 && len(p.Items) >= q.Limit || size >= pageBytes
	}
	return p, nil
}

// Count implements ledger.Store.
func (s *Store) Count(_ context.Context, q ledger.Query) (int, error) {
	if err := s.call(1); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k := range s.parts[q.Index][q.PK] {
		if s.matches(s.items[k], q) {
			n++
		}
	}
	return n, nil
}

// Len counts the live items (for tests).
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, it := range s.items {
		if s.live(it) {
			n++
		}
	}
	return n
}

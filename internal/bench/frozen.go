package bench

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// frozenStore serves one request partition read-only, as DynamoDB does:
// the items live in the "server" (allocated before the measurement) and a
// query returns one page of at most 1 MB, so what the reader's heap holds
// is the page, not the partition. (The in-memory store sorts a copy of the
// partition on every query, which would measure the test store.)
type frozenStore struct {
	items []ledger.Item // one partition, by sort key
	calls atomic.Int64
}

var errFrozen = errors.New("bench: the frozen store is read-only and holds one partition")

// freeze reads partition pk out of s, every page.
func freeze(ctx context.Context, s ledger.Store, pk string) (*frozenStore, error) {
	f := &frozenStore{}
	q := ledger.Query{PK: pk}
	for {
		p, err := s.Query(ctx, q)
		if err != nil {
			return nil, err
		}
		f.items = append(f.items, p.Items...)
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	sort.Slice(f.items, func(i, j int) bool { return f.items[i].SK < f.items[j].SK })
	return f, nil
}

func (f *frozenStore) Get(_ context.Context, k ledger.Key) (*ledger.Item, error) {
	f.calls.Add(1)
	i := sort.Search(len(f.items), func(i int) bool { return f.items[i].SK >= k.SK })
	if i < len(f.items) && f.items[i].PK == k.PK && f.items[i].SK == k.SK {
		it := f.items[i]
		return &it, nil
	}
	return nil, nil
}

func (f *frozenStore) Query(_ context.Context, q ledger.Query) (ledger.Page, error) {
	f.calls.Add(1)
	if q.Index != ledger.Base || q.Desc || q.Below != "" || len(f.items) == 0 || q.PK != f.items[0].PK {
		return ledger.Page{}, errFrozen
	}
	start := 0
	if q.Cursor != "" {
		n, err := strconv.Atoi(q.Cursor)
		if err != nil {
			return ledger.Page{}, ledger.ErrCursor
		}
		start = n
	}
	if q.Above != "" {
		start = max(start, sort.Search(len(f.items), func(i int) bool { return f.items[i].SK > q.Above }))
	}
	var p ledger.Page
	size := 0
	for i := start; i < len(f.items); i++ {
		it := f.items[i]
		if q.Prefix != "" && !strings.HasPrefix(it.SK, q.Prefix) {
			continue
		}
		p.Items = append(p.Items, it)
		size += len(it.Data) + len(it.PK) + len(it.SK) + 20
		if (q.Limit > 0 && len(p.Items) >= q.Limit || size >= 1<<20) && i+1 < len(f.items) {
			p.Next = strconv.Itoa(i + 1)
			break
		}
	}
	return p, nil
}

func (f *frozenStore) BatchGet(context.Context, []ledger.Key) ([]ledger.Item, error) {
	return nil, errFrozen
}
func (f *frozenStore) BatchPut(context.Context, []ledger.Item) error    { return errFrozen }
func (f *frozenStore) Write(context.Context, ...ledger.Write) error     { return errFrozen }
func (f *frozenStore) Count(context.Context, ledger.Query) (int, error) { return 0, errFrozen }

// Package storetest is the one conformance suite every ledger.Store
// passes (the in-memory store always, DynamoDB on moto), so the demo and
// the unit tests run on the same semantics the deployment has. Only _test
// files import it.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// Clock is a settable clock for TTL tests.
type Clock struct{ now atomic.Int64 }

// NewClock starts at t.
func NewClock(t time.Time) *Clock {
	c := &Clock{}
	c.now.Store(t.UnixNano())
	return c
}

// Now is the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.now.Load()) }

// Add moves the clock.
func (c *Clock) Add(d time.Duration) { c.now.Add(int64(d)) }

// Run tests a store; fresh returns an empty store on the clock.
func Run(t *testing.T, fresh func(t *testing.T, clock *Clock) ledger.Store) {
	ctx := context.Background()
	item := func(pk, sk string) ledger.Item {
		return ledger.Item{PK: pk, SK: sk, Data: []byte(`{"v":"` + sk + `"}`)}
	}
	t.Run("put, get, batch get", func(t *testing.T) {
		s := fresh(t, NewClock(time.Now()))
		var items []ledger.Item
		for i := range 60 {
			items = append(items, item("P", fmt.Sprintf("S%03d", i)))
		}
		if err := s.BatchPut(ctx, items); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, ledger.Key{PK: "P", SK: "S007"})
		if err != nil || got == nil || string(got.Data) != `{"v":"S007"}` {
			t.Fatalf("%+v %v", got, err)
		}
		if got, err := s.Get(ctx, ledger.Key{PK: "P", SK: "nope"}); err != nil || got != nil {
			t.Fatalf("absent: %+v %v", got, err)
		}
		keys := []ledger.Key{{PK: "P", SK: "S001"}, {PK: "P", SK: "S059"}, {PK: "P", SK: "missing"}, {PK: "P", SK: "S001"}}
		if got, err := s.BatchGet(ctx, keys); err != nil || len(got) != 2 {
			t.Fatalf("batch get: %d %v", len(got), err)
		}
	})
	t.Run("query order, prefix, bounds, pages", func(t *testing.T) {
		s := fresh(t, NewClock(time.Now()))
		var items []ledger.Item
		for i := range 30 {
			it := item("Q", fmt.Sprintf("T#%02d", i))
			it.G1PK, it.G1SK = "G", fmt.Sprintf("%02d", i%10) // repeated index sort keys
			items = append(items, it)
		}
		items = append(items, item("Q", "#"), item("Q", "U#1"))
		if err := s.BatchPut(ctx, items); err != nil {
			t.Fatal(err)
		}
		var got []string
		q := ledger.Query{PK: "Q", Prefix: "T#", Limit: 7}
		for {
			p, err := s.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range p.Items {
				got = append(got, it.SK)
			}
			if p.Next == "" {
				break
			}
			q.Cursor = p.Next
		}
		if len(got) != 30 || got[0] != "T#00" || !slices.IsSorted(got) {
			t.Fatalf("prefix pages: %v", got)
		}
		p, err := s.Query(ctx, ledger.Query{PK: "Q", Below: "T#03", Desc: true})
		if err != nil || len(p.Items) != 4 || p.Items[0].SK != "T#02" || p.Items[3].SK != "#" {
			t.Fatalf("below, desc: %+v %v", p.Items, err)
		}
		if n, err := s.Count(ctx, ledger.Query{PK: "Q", Above: "T#25"}); err != nil || n != 5 {
			t.Fatalf("count above: %d %v", n, err)
		}
		// An index whose sort keys repeat pages without losing or repeating.
		seen := map[string]bool{}
		q = ledger.Query{Index: ledger.G1, PK: "G", Limit: 4, Desc: true}
		for {
			p, err := s.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range p.Items {
				if seen[it.SK] {
					t.Fatalf("%s twice", it.SK)
				}
				seen[it.SK] = true
			}
			if p.Next == "" {
				break
			}
			q.Cursor = p.Next
		}
		if len(seen) != 30 {
			t.Fatalf("index pages saw %d of 30", len(seen))
		}
		// A write between two pages is seen by the next page when it
		// sorts after the cursor (a store that caches a partition's order
		// must forget it on a write).
		p, err = s.Query(ctx, ledger.Query{PK: "Q", Prefix: "T#", Limit: 29})
		if err != nil || p.Next == "" {
			t.Fatalf("first page: %d items, next %q, %v", len(p.Items), p.Next, err)
		}
		if err := s.BatchPut(ctx, []ledger.Item{item("Q", "T#99")}); err != nil {
			t.Fatal(err)
		}
		p, err = s.Query(ctx, ledger.Query{PK: "Q", Prefix: "T#", Limit: 29, Cursor: p.Next})
		if err != nil || len(p.Items) != 2 || p.Items[1].SK != "T#99" || p.Next != "" {
			t.Fatalf("after a write: %+v next %q %v", p.Items, p.Next, err)
		}
		if _, err := s.Query(ctx, ledger.Query{PK: "Q", Cursor: "not a cursor"}); !errors.Is(err, ledger.ErrCursor) {
			t.Fatalf("bad cursor: %v", err)
		}
	})
	t.Run("conditions and transactions", func(t *testing.T) {
		s := fresh(t, NewClock(time.Now()))
		a := item("C", "a")
		if err := s.Write(ctx, ledger.Write{Put: &a, IfAbsent: true}); err != nil {
			t.Fatal(err)
		}
		if err := s.Write(ctx, ledger.Write{Put: &a, IfAbsent: true}); !errors.Is(err, ledger.ErrCondition) {
			t.Fatalf("second IfAbsent: %v", err)
		}
		v1 := item("C", "v")
		v1.Ver = 1
		b := item("C", "b")
		if err := s.Write(ctx, ledger.Write{Put: &v1, IfAbsent: true}, ledger.Write{Put: &b, IfAbsent: true}); err != nil {
			t.Fatal(err)
		}
		one, two := int64(1), int64(2)
		v2 := v1
		v2.Ver = 2
		c := item("C", "c")
		// One failing condition: nothing of the transaction is written.
		if err := s.Write(ctx, ledger.Write{Put: &v2, IfVer: &two}, ledger.Write{Put: &c}); !errors.Is(err, ledger.ErrCondition) {
			t.Fatalf("wrong version: %v", err)
		}
		if got, _ := s.Get(ctx, c.Key()); got != nil {
			t.Fatal("a failed transaction wrote")
		}
		if err := s.Write(ctx, ledger.Write{Put: &v2, IfVer: &one}, ledger.Write{Put: &c}); err != nil {
			t.Fatal(err)
		}
		k := b.Key()
		if err := s.Write(ctx, ledger.Write{Delete: &k}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, k); got != nil {
			t.Fatal("deleted item still there")
		}
		if got, _ := s.Get(ctx, v2.Key()); got == nil || got.Ver != 2 {
			t.Fatalf("%+v", got)
		}
	})
	t.Run("expired items are gone for reads and conditions", func(t *testing.T) {
		clock := NewClock(time.Now())
		s := fresh(t, clock)
		short := item("E", "short")
		short.TTL = clock.Now().Add(time.Hour).Unix()
		short.G1PK, short.G1SK = "EG", "1"
		long := item("E", "long")
		long.TTL = clock.Now().Add(72 * time.Hour).Unix()
		if err := s.BatchPut(ctx, []ledger.Item{short, long}); err != nil {
			t.Fatal(err)
		}
		clock.Add(2 * time.Hour)
		if got, _ := s.Get(ctx, short.Key()); got != nil {
			t.Fatal("expired item read")
		}
		if p, _ := s.Query(ctx, ledger.Query{PK: "E"}); len(p.Items) != 1 || p.Items[0].SK != "long" {
			t.Fatalf("query: %+v", p.Items)
		}
		if n, _ := s.Count(ctx, ledger.Query{Index: ledger.G1, PK: "EG"}); n != 0 {
			t.Fatalf("count: %d", n)
		}
		again := item("E", "short")
		if err := s.Write(ctx, ledger.Write{Put: &again, IfAbsent: true}); err != nil {
			t.Fatalf("an expired item must count as absent: %v", err)
		}
	})
	t.Run("payloads are kept as written", func(t *testing.T) {
		s := fresh(t, NewClock(time.Now()))
		data := `{"reason":"Zoë — \"quoted\" & <b>","e":"` + strings.Repeat("x", 10000) + `"}`
		it := ledger.Item{PK: "D", SK: "1", Data: []byte(data), G2PK: "DG", G2SK: "k", TTL: time.Now().Add(time.Hour).Unix(), Ver: 7}
		if err := s.BatchPut(ctx, []ledger.Item{it}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, it.Key())
		if err != nil || string(got.Data) != data || got.G2PK != "DG" || got.G2SK != "k" || got.Ver != 7 || got.TTL != it.TTL {
			t.Fatalf("%+v %v", got, err)
		}
	})
}

package ledger_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// StatusPage lists every target once, in key order, each folded from all
// of its attempts, even a target with more attempts than one query holds;
// counts accumulate across pages and the status is final on the last.
func TestStatusPage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int
		pages int
	}{
		{"one page", 100, 1},
		{"pages of 7", 7, 5},
		{"pages of 1", 1, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
				now := clock.Now()
				var ts []ledger.Target
				for i := range 30 {
					ts = append(ts, target("wiki", fmt.Sprintf("u%02d", i), ""))
				}
				r := request(message.NewID(), now, ts...)
				if err := l.CreateRequest(ctx, r, ts); err != nil {
					t.Fatal(err)
				}
				var as []ledger.Attempt
				for i, tg := range ts {
					n := 1
					if i == 3 {
						n = 60 // more than a query of a small page holds
					}
					for k := range n {
						as = append(as, attempt(r, tg, message.Retrying, k+1, 0, now.Add(time.Duration(k)*time.Second)))
					}
					if i%2 == 0 {
						as = append(as, attempt(r, tg, message.Done, n+1, 0, now.Add(time.Hour)))
					}
				}
				if err := l.RecordAttempts(ctx, as); err != nil {
					t.Fatal(err)
				}
				var seen []string
				pages, cursor := 0, ""
				for {
					p, err := l.StatusPage(ctx, r.ID, cursor, tc.limit)
					if err != nil {
						t.Fatal(err)
					}
					pages++
					for _, st := range p.Targets {
						seen = append(seen, st.UserID)
						if st.UserID == "u03" && st.Attempts != 60 {
							t.Fatalf("u03: %d attempts, want 60", st.Attempts)
						}
					}
					if p.Next == "" {
						if p.Counts[message.Done] != 15 || p.Counts[message.Retrying] != 15 || p.Status != ledger.StatusPending {
							t.Fatalf("last page: %v %s", p.Counts, p.Status)
						}
						break
					}
					if p.Status != ledger.StatusPending || pages > 40 {
						t.Fatalf("page %d: %s", pages, p.Status)
					}
					cursor = p.Next
				}
				if len(seen) != 30 || pages != tc.pages {
					t.Fatalf("%d targets in %d pages: %v", len(seen), pages, seen)
				}
				for i, id := range seen {
					if id != fmt.Sprintf("u%02d", i) {
						t.Fatalf("order: %v", seen)
					}
				}
			})
		})
	}
}

func TestStatusPageUnknown(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, _ *storetest.Clock) {
		if _, err := l.StatusPage(ctx, message.NewID(), "", 10); !errors.Is(err, ledger.ErrNotFound) {
			t.Fatal(err)
		}
	})
}

// A status cursor comes from outside: whatever it holds, StatusPage answers
// a page or ErrCursor, never another error or a panic.
func FuzzStatusCursor(f *testing.F) {
	l := ledger.New(inmem.NewStore(time.Now), time.Hour)
	tg := target("wiki", "u1", "")
	r := request(message.NewID(), time.Now(), tg)
	if err := l.CreateRequest(ctx, r, []ledger.Target{tg}); err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "bzo5MjIzMzcyMDM2ODU0Nzc1ODA3", "eyJhIjoiVCN4IiwiYyI6e319", "eyJhIjoiVCN4IiwiYyI6eyJkb25lIjoxfX0", "!!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		p, err := l.StatusPage(ctx, r.ID, cursor, 10)
		if err != nil && !errors.Is(err, ledger.ErrCursor) {
			t.Fatalf("%q: %v", cursor, err)
		}
		if err == nil && p == nil {
			t.Fatal("no page")
		}
	})
}

// A person's history reads their targets of each request, not the request:
// one index query, then one item and one query a request, however many
// other targets the request has. (Before: every request's whole partition
// was loaded: nine calls for this one.)
func TestHistoryReadsOnlyThePerson(t *testing.T) {
	store := inmem.NewStore(time.Now)
	l := ledger.New(store, time.Hour)
	ts := []ledger.Target{target("wiki", "", "alice@example.com"), target("crm", "", "alice@example.com")}
	for i := range 4000 {
		ts = append(ts, target("wiki", "", fmt.Sprintf("someone-%04d@example.com", i)))
	}
	r := request(message.NewID(), time.Now(), ts...)
	if err := l.CreateRequest(ctx, r, ts); err != nil {
		t.Fatal(err)
	}
	var as []ledger.Attempt
	for _, tg := range ts {
		a := attempt(r, tg, message.Done, 1, 0, time.Now())
		a.Message = string(make([]byte, 200))
		as = append(as, a)
	}
	if err := l.RecordAttempts(ctx, as); err != nil {
		t.Fatal(err)
	}
	before := store.Calls.Load()
	page, _, err := l.History(ctx, "alice@example.com", "", 10)
	if err != nil || len(page) != 1 || len(page[0].Targets) != 2 || page[0].Status != ledger.StatusDone {
		t.Fatalf("%+v %v", page, err)
	}
	if calls := store.Calls.Load() - before; calls != 3 {
		t.Fatalf("%d store calls, want 3", calls)
	}
}

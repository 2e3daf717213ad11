package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// deadlineStore ends the work context once the comparison has read its
// nth listing page, as the Lambda deadline would.
type deadlineStore struct {
	ledger.Store
	listing string
	n       int
	cancel  context.CancelFunc
	reads   int
	refuse  bool // writes fail once the context ended (the deadline within a page)
}

func (d *deadlineStore) BatchPut(ctx context.Context, items []ledger.Item) error {
	if d.refuse && ctx.Err() != nil {
		return fmt.Errorf("batch write: %w", ctx.Err())
	}
	return d.Store.BatchPut(ctx, items)
}

func (d *deadlineStore) Query(ctx context.Context, q ledger.Query) (ledger.Page, error) {
	p, err := d.Store.Query(ctx, q)
	if strings.Contains(q.PK, d.listing) {
		if d.reads++; d.reads == d.n {
			d.cancel()
		}
	}
	return p, err
}

// A comparison cut short by the deadline continues on the next run from
// the page where it stopped, with the counts it had: every listing page is
// read once in all, and the report counts every account once. Before, it
// started over each run, so one longer than the deadline never finished.
func TestCompareContinuesWhereItStopped(t *testing.T) {
	for _, tc := range []struct {
		name             string
		accounts, stopAt int
		within           bool // the deadline falls within the page: it is compared again
	}{
		{"stopped after the first of three pages", 3000, 1, false},
		{"stopped after the second of three pages", 3000, 2, false},
		{"stopped before a short last page", 2500, 2, false},
		{"stopped within the second page", 3000, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := storetest.NewClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
			st := &ledger.Listing{ID: message.NewID(), Connection: "crm", StartedAt: clock.Now(), UpdatedAt: clock.Now(), Done: true}
			store := &deadlineStore{Store: inmem.NewStore(clock.Now), listing: st.ID, n: tc.stopAt, refuse: tc.within}
			compared := tc.stopAt * comparePage
			if tc.within {
				compared -= comparePage
			}
			l := ledger.New(store, 400*24*time.Hour)
			l.Now = clock.Now
			s := &Sweeper{Ledger: l, Now: clock.Now, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
			cn := config.Connection{Name: "crm", Provider: "journeyapps"}
			var accounts []ledger.ListedAccount
			for i := range tc.accounts {
				accounts = append(accounts, ledger.ListedAccount{UserID: fmt.Sprintf("u%06d", i), Email: fmt.Sprintf("u%06d@example.com", i)})
			}
			if err := l.PutListed(context.Background(), st, accounts); err != nil {
				t.Fatal(err)
			}
			if err := l.SaveListing(context.Background(), st); err != nil {
				t.Fatal(err)
			}
			work, cancel := context.WithCancel(context.Background())
			store.cancel = cancel
			if _, err := s.compare(work, cn, st, &peopleOnce{s: s, dirs: []string{"scim"}}); !errors.Is(err, errCutShort) {
				t.Fatalf("cut short: %v", err)
			}
			saved, err := l.Listing(context.Background(), "crm")
			if err != nil || saved.Comparing == nil || saved.Comparing.Accounts != compared {
				t.Fatalf("progress %+v %v, want %d accounts compared", saved, err, compared)
			}
			store.n, store.refuse = 0, false
			rep, err := s.compare(context.Background(), cn, saved, &peopleOnce{s: s, dirs: []string{"scim"}})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Accounts != tc.accounts || rep.Orphans != tc.accounts {
				t.Fatalf("report of %d accounts, %d orphans, want %d each", rep.Accounts, rep.Orphans, tc.accounts)
			}
			pages := (tc.accounts + comparePage - 1) / comparePage
			if tc.within {
				pages++ // the page the deadline cut, read again
			}
			if store.reads != pages {
				t.Fatalf("%d listing pages read, want %d", store.reads, pages)
			}
			if got, err := l.Orphans(context.Background(), "crm"); err != nil || got == nil || got.Orphans != tc.accounts {
				t.Fatalf("published %+v %v", got, err)
			}
		})
	}
}

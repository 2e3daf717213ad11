package sweep

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// The comparison's ledger calls grow with pages, not with accounts: with
// no directory person matching, every enabled account is a candidate
// (JourneyApps shows no lock state), and revoke's own revocations are
// skipped through one pass over the connection's marks. Before, it made
// one marks query per candidate: 3,000 and 6,000 extra calls here.
func TestCompareCostsPagesNotAccounts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		accounts int
	}{
		{"one page", 900},
		{"three pages", 3000},
		{"six pages", 6000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := storetest.NewClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
			store := inmem.NewStore(clock.Now)
			l := ledger.New(store, 400*24*time.Hour)
			l.Now = clock.Now
			s := &Sweeper{Ledger: l, Now: clock.Now, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
			cn := config.Connection{Name: "crm", Provider: "journeyapps"}
			st := &ledger.Listing{ID: message.NewID(), Connection: cn.Name, StartedAt: clock.Now(), UpdatedAt: clock.Now(), Done: true}
			var accounts []ledger.ListedAccount
			var marks []ledger.Mark
			revoked := 0
			for i := range tc.accounts {
				id := fmt.Sprintf("u%06d", i)
				accounts = append(accounts, ledger.ListedAccount{UserID: id, Email: id + "@example.com"})
				if i%7 != 0 {
					continue
				}
				at := clock.Now().Add(-time.Hour)
				marks = append(marks, ledger.Mark{Connection: cn.Name, UserID: id, Action: message.Revoke, RequestID: message.NewID(), Key: "u:" + id + "#crm", At: at})
				if i%21 == 0 { // restored through revoke afterwards: an orphan again
					marks = append(marks, ledger.Mark{Connection: cn.Name, UserID: id, Action: message.Restore, RequestID: message.NewID(), Key: "u:" + id + "#crm", At: at.Add(time.Minute)})
					continue
				}
				revoked++
			}
			if err := l.PutListed(context.Background(), st, accounts); err != nil {
				t.Fatal(err)
			}
			if err := l.PutMarks(context.Background(), marks); err != nil {
				t.Fatal(err)
			}
			before := store.Calls.Load()
			rep, err := s.compare(context.Background(), cn, st, &peopleOnce{s: s, dirs: []string{"scim"}})
			if err != nil {
				t.Fatal(err)
			}
			calls := store.Calls.Load() - before
			orphans := tc.accounts - revoked
			if rep.Accounts != tc.accounts || rep.Orphans != orphans {
				t.Fatalf("accounts %d orphans %d, want %d and %d", rep.Accounts, rep.Orphans, tc.accounts, orphans)
			}
			pages := (tc.accounts + comparePage - 1) / comparePage
			markPages := len(marks)/1000 + 1
			writes := pages + (orphans+24)/25 // a PutOrphans call a page, 25 entries a DynamoDB call
			const fixed = 10                  // directory, previous report, exceptions, publish
			if limit := pages + markPages + writes + fixed; calls > int64(limit) {
				t.Fatalf("%d ledger calls for %d accounts, want at most %d (pages %d, mark pages %d, writes %d)", calls, tc.accounts, limit, pages, markPages, writes)
			}
		})
	}
}

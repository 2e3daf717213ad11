package sweep

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
)

// peopleReads counts the ledger reads that make the set of active people:
// a directory's snapshot head, scans of a directory's users, and scans of
// the SCIM roster (the one-item probe of HasSCIMUsers is not one).
type peopleReads struct {
	ledger.Store
	heads, dirScans, rosterScans int
}

func (p *peopleReads) Get(ctx context.Context, k ledger.Key) (*ledger.Item, error) {
	if strings.HasPrefix(k.PK, "DIR#") && k.SK == "#" {
		p.heads++
	}
	return p.Store.Get(ctx, k)
}

func (p *peopleReads) Query(ctx context.Context, q ledger.Query) (ledger.Page, error) {
	switch {
	case q.Cursor != "": // a later page of a scan already counted
	case strings.HasPrefix(q.PK, "DIR#") && q.Prefix == "U#":
		p.dirScans++
	case q.PK == "SCIMROSTER" && q.Limit != 1:
		p.rosterScans++
	}
	return p.Store.Query(ctx, q)
}

// One sweep run reads the SCIM roster and each directory snapshot once,
// however many connections it compares, and only when it compares one;
// a directory with no complete snapshot fails every comparison of the run
// with errNoSnapshot, read once. Before, each connection's comparison read
// them all again (twice for two connections).
func TestOrphansReadThePeopleOnce(t *testing.T) {
	const dir = "identitystore:d-1234567890"
	for _, tc := range []struct {
		name       string
		done       bool // the listings finished: the run compares them
		snapshot   bool // the directory has a complete snapshot
		wantStatus string
		// reads of the snapshot head, scans of the directory's users and
		// of the SCIM roster (read first, before the directory)
		wantHeads, wantDirScans, wantRosterScans int
	}{
		{"two connections compared", true, true, StatusCompared, 1, 1, 1},
		{"two connections without a complete snapshot", true, false, StatusIncomplete, 1, 0, 1},
		{"two listings under way: nothing read", false, true, StatusListing, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
			store := &peopleReads{Store: inmem.NewStore(clock.Now)}
			l := ledger.New(store, 400*24*time.Hour)
			l.Now = clock.Now
			cfg, err := config.Load(func(k string) string {
				return map[string]string{"CONNECTIONS": "crm=backendless,field-app=journeyapps", "QUEUE_URL": queueURL, "DLQ_URL": dlqURL,
					"DIRECTORY_SOURCES": dir}[k]
			})
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			s := &Sweeper{Config: cfg, Providers: registry.Builtin(), Ledger: l, Now: clock.Now, Log: slog.New(slog.NewJSONHandler(&logs, nil))}
			s.init()

			if err := l.CreateSCIMUser(ctx, ledger.SCIMUser{ID: "s1", UserName: "ann@example.com", Active: true, Created: clock.Now()}); err != nil {
				t.Fatal(err)
			}
			if err := l.PutDirectoryUsers(ctx, []ledger.DirectoryUser{{Directory: dir, UserID: "d1", Emails: []string{"bob@example.com"}, Refreshed: clock.Now()}}); err != nil {
				t.Fatal(err)
			}
			if tc.snapshot {
				if err := l.PutSnapshotComplete(ctx, dir, clock.Now()); err != nil {
					t.Fatal(err)
				}
			}
			for _, cn := range cfg.Connections {
				st := &ledger.Listing{ID: message.NewID(), Connection: cn.Name, StartedAt: clock.Now(), UpdatedAt: clock.Now(), Done: tc.done}
				accounts := []ledger.ListedAccount{{UserID: "a", Email: "ann@example.com"}, {UserID: "b", Email: "bob@example.com"}, {UserID: "c", Email: "carl@example.com"}}
				if err := l.PutListed(ctx, st, accounts); err != nil {
					t.Fatal(err)
				}
				if err := l.SaveListing(ctx, st); err != nil {
					t.Fatal(err)
				}
			}
			store.heads, store.dirScans, store.rosterScans = 0, 0, 0

			got := s.orphans(ctx, true, Orphans{})
			if len(got) != 2 {
				t.Fatalf("%d results, want 2: %+v", len(got), got)
			}
			for _, r := range got {
				if r.Status != tc.wantStatus {
					t.Fatalf("%s: status %q (%s), want %q", r.Connection, r.Status, r.Error, tc.wantStatus)
				}
				if tc.wantStatus == StatusCompared && r.Orphans != 1 {
					t.Fatalf("%s: %d orphans, want 1 (carl: neither the SCIM user nor the directory's)", r.Connection, r.Orphans)
				}
			}
			if !tc.snapshot && strings.Count(logs.String(), errNoSnapshot.Error()) != 2 {
				t.Fatalf("each comparison should fail with errNoSnapshot; log:\n%s", logs.String())
			}
			if store.heads != tc.wantHeads || store.dirScans != tc.wantDirScans || store.rosterScans != tc.wantRosterScans {
				t.Fatalf("read the snapshot head %d times, the directory's users %d, the SCIM roster %d; want %d, %d, %d",
					store.heads, store.dirScans, store.rosterScans, tc.wantHeads, tc.wantDirScans, tc.wantRosterScans)
			}
		})
	}
}

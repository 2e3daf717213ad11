package ledger_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// An account is revoked when its latest revoke through revoke is later
// than its latest restore, whatever order the two were recorded in; the
// window leaves out older revocations.
func TestMarksRestoreIsNotRevoked(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		now := clock.Now()
		mark := func(id string, a message.Action, at time.Time) ledger.Mark {
			return ledger.Mark{Connection: "crm", UserID: id, Action: a, RequestID: message.NewID(), Key: "u:" + id + "#crm", At: at}
		}
		marks := []ledger.Mark{
			mark("revoked", message.Revoke, now),
			mark("restored", message.Restore, now.Add(time.Minute)), mark("restored", message.Revoke, now), // recorded out of order
			mark("again", message.Restore, now), mark("again", message.Revoke, now.Add(time.Minute)),
			mark("old", message.Revoke, now.Add(-100*24*time.Hour)),
		}
		if err := l.PutMarks(ctx, marks); err != nil {
			t.Fatal(err)
		}
		got, next, err := l.RevokedPage(ctx, "crm", now.Add(-90*24*time.Hour), "", 0)
		if err != nil || next != "" {
			t.Fatal(err, next)
		}
		ids := ""
		for _, m := range got {
			ids += m.UserID + " "
		}
		if ids != "again revoked " {
			t.Fatalf("revoked in the window: %q", ids)
		}
		for id, want := range map[string]bool{"revoked": true, "restored": false, "again": true, "never": false} {
			m, err := l.Revoked(ctx, "crm", id)
			if err != nil || (m != nil) != want {
				t.Fatalf("%s: %+v %v", id, m, err)
			}
		}
	})
}

// Drift on a settled target beats done, the request is no longer done,
// and the drift list shows it, once for a sweep run however often the run
// records it.
func TestRecordDrift(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		now := clock.Now()
		tg := target("crm", "BL-1", "")
		r := request(message.NewID(), now, tg)
		if err := l.CreateRequest(ctx, r, []ledger.Target{tg}); err != nil {
			t.Fatal(err)
		}
		if err := l.RecordAttempts(ctx, []ledger.Attempt{attempt(r, tg, message.Done, 1, 0, now)}); err != nil {
			t.Fatal(err)
		}
		d := ledger.Drift{Connection: "crm", Provider: "backendless", UserID: "BL-1", RequestID: r.ID, Key: tg.Key, RevokedAt: now,
			SeenAt: now.Add(24 * time.Hour), Read: "enabled", OnDrift: "alert", RunID: message.NewID()}
		if err := l.RecordDrift(ctx, d); err != nil {
			t.Fatal(err)
		}
		again := d
		again.SeenAt = d.SeenAt.Add(time.Second) // the same run's second check of the account
		if err := l.RecordDrift(ctx, again); !errors.Is(err, ledger.ErrDriftRecorded) {
			t.Fatalf("a sweep run recorded an account's drift twice: %v", err)
		}
		page, err := l.StatusPage(ctx, r.ID, "", 10)
		if err != nil || page.Targets[0].Outcome != message.Drift || page.Status == ledger.StatusDone {
			t.Fatalf("%+v %v", page, err)
		}
		list, _, err := l.ListDrift(ctx, "", 10)
		if err != nil || len(list) != 1 || list[0].UserID != "BL-1" || !list[0].SeenAt.Equal(d.SeenAt) {
			t.Fatalf("%+v %v", list, err)
		}
	})
}

// A listing advances only from the version it was read at: a second
// delivery of the same page is refused.
func TestListingVersion(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		s := &ledger.Listing{ID: message.NewID(), Connection: "wiki", StartedAt: clock.Now(), UpdatedAt: clock.Now()}
		if err := l.SaveListing(ctx, s); err != nil {
			t.Fatal(err)
		}
		a, _ := l.Listing(ctx, "wiki")
		b, _ := l.Listing(ctx, "wiki")
		a.Cursor, a.Pages = "100", 1
		if err := l.SaveListing(ctx, a); err != nil {
			t.Fatal(err)
		}
		b.Cursor, b.Pages = "100", 1
		if err := l.SaveListing(ctx, b); !errors.Is(err, ledger.ErrListingMoved) {
			t.Fatalf("a stale delivery advanced the listing: %v", err)
		}
		if got, _ := l.Listing(ctx, "wiki"); got.Pages != 1 || got.Cursor != "100" {
			t.Fatalf("%+v", got)
		}
	})
}

// A report pages by user id; a cursor that is no user id is refused.
func TestOrphanPages(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		rep := ledger.OrphanReport{Connection: "wiki", ListingID: message.NewID(), ComparedAt: clock.Now()}
		var entries []ledger.Orphan
		for i := range 5 {
			entries = append(entries, ledger.Orphan{UserID: fmt.Sprintf("u%d", i), Status: ledger.StatusOrphan, FirstSeen: clock.Now()})
		}
		if err := l.PutOrphans(ctx, rep, entries); err != nil {
			t.Fatal(err)
		}
		if err := l.PublishOrphans(ctx, rep); err != nil {
			t.Fatal(err)
		}
		got, err := l.Orphans(ctx, "wiki")
		if err != nil || got == nil {
			t.Fatal(err)
		}
		var ids []string
		for cursor := ""; ; {
			page, next, err := l.OrphanPage(ctx, got, cursor, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page {
				ids = append(ids, o.UserID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if fmt.Sprint(ids) != "[u0 u1 u2 u3 u4]" {
			t.Fatalf("%v", ids)
		}
		if _, _, err := l.OrphanPage(ctx, got, "../x", 2); !errors.Is(err, ledger.ErrCursor) {
			t.Fatalf("%v", err)
		}
	})
}

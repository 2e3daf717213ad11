package ledger_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// recorder is a store that notes each write as IAM would authorise it:
// the action and the item kind (LeadingKeys pattern) of its partition key.
type recorder struct {
	*inmem.Store
	seen map[string]bool // "dynamodb:PutItem REQ#*"
}

func kindOf(pk string) string {
	for _, k := range []string{ledger.KindRequest, ledger.KindKey, ledger.KindUnresolved, ledger.KindDirectory,
		ledger.KindSCIMUser, ledger.KindSCIMName, ledger.KindSCIMEmail, ledger.KindSCIMPage, ledger.KindSCIMRoster,
		ledger.KindMark, ledger.KindDrift, ledger.KindListing, ledger.KindListed, ledger.KindOrphans, ledger.KindExcept} {
		if p, wild := strings.CutSuffix(k, "*"); (wild && strings.HasPrefix(pk, p)) || pk == k {
			return k
		}
	}
	return "unknown:" + pk
}

func (r *recorder) BatchPut(ctx context.Context, items []ledger.Item) error {
	for _, it := range items {
		r.seen[ledger.ActionPut+" "+kindOf(it.PK)] = true
	}
	return r.Store.BatchPut(ctx, items)
}

func (r *recorder) Write(ctx context.Context, writes ...ledger.Write) error {
	for _, w := range writes {
		if w.Put != nil {
			r.seen[ledger.ActionPut+" "+kindOf(w.Put.PK)] = true
		} else {
			r.seen[ledger.ActionDelete+" "+kindOf(w.Delete.PK)] = true
		}
	}
	return r.Store.Write(ctx, writes...)
}

// TestWrites: each writing method writes exactly what ledger.Writes says
// (the table the template's LeadingKeys follow), and Writes names every
// method that writes.
func TestWrites(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	now := clock.Now()
	tg := target("wiki", "u1", "")
	r := request(message.NewID(), now, tg)
	alice := ledger.SCIMUser{ID: message.NewID(), UserName: "alice", Active: true, Owner: "entra", Created: now,
		Emails: []ledger.SCIMEmail{{Value: "alice@example.com"}}}
	renamed := alice
	renamed.UserName, renamed.Emails = "alice2", []ledger.SCIMEmail{{Value: "alice2@example.com"}}
	steps := []struct {
		method string
		setup  func(l *ledger.Ledger) error
		call   func(l *ledger.Ledger) error
	}{
		{"CreateRequest", nil, func(l *ledger.Ledger) error { return l.CreateRequest(ctx, r, []ledger.Target{tg}) }},
		{"MarkQueued", nil, func(l *ledger.Ledger) error {
			if err := l.MarkQueued(ctx, r, []ledger.Target{tg}, false); err != nil {
				return err
			}
			return l.MarkQueued(ctx, r, nil, true)
		}},
		{"RecordAttempts", nil, func(l *ledger.Ledger) error {
			return l.RecordAttempts(ctx, []ledger.Attempt{attempt(r, tg, message.Done, 1, 0, now)})
		}},
		{"AppendAttempts", nil, func(l *ledger.Ledger) error {
			_, err := l.AppendAttempts(ctx, []ledger.Attempt{attempt(r, tg, message.Done, 1, 0, now)})
			return err
		}},
		{"ClaimKey", nil, func(l *ledger.Ledger) error {
			_, err := l.ClaimKey(ctx, ledger.KeyRecord{Key: "idem:ops:k1", RequestID: r.ID})
			return err
		}},
		{"RecordUnresolved", nil, func(l *ledger.Ledger) error {
			return l.RecordUnresolved(ctx, ledger.Unresolved{Source: message.SourceSCIM, UserID: "u9", Key: "k", Reason: "no address"})
		}},
		{"PutDirectoryUsers", nil, func(l *ledger.Ledger) error {
			return l.PutDirectoryUsers(ctx, []ledger.DirectoryUser{{Directory: "cognito:pool", UserID: "s1", Emails: []string{"a@example.com"}}})
		}},
		{"CreateSCIMUser", nil, func(l *ledger.Ledger) error { return l.CreateSCIMUser(ctx, alice) }},
		{"ReplaceSCIMUser", func(l *ledger.Ledger) error { return l.CreateSCIMUser(ctx, alice) }, func(l *ledger.Ledger) error {
			prev := alice
			prev.Version = 1
			_, err := l.ReplaceSCIMUser(ctx, prev, renamed)
			return err
		}},
		{"DeleteSCIMUser", func(l *ledger.Ledger) error { return l.CreateSCIMUser(ctx, alice) }, func(l *ledger.Ledger) error {
			u := alice
			u.Version = 1
			return l.DeleteSCIMUser(ctx, u)
		}},
		{"SCIMUsers", func(l *ledger.Ledger) error { return l.CreateSCIMUser(ctx, alice) }, func(l *ledger.Ledger) error {
			_, _, err := l.SCIMUsers(ctx, "entra", 0, 10)
			return err
		}},
		{"PutSnapshotComplete", nil, func(l *ledger.Ledger) error { return l.PutSnapshotComplete(ctx, "cognito:pool", now) }},
		{"PutSnapshotProgress", nil, func(l *ledger.Ledger) error {
			return l.PutSnapshotProgress(ctx, ledger.SnapshotProgress{Directory: "cognito:pool", StartedAt: now, Token: "t"})
		}},
		{"PutMarks", nil, func(l *ledger.Ledger) error {
			return l.PutMarks(ctx, []ledger.Mark{{Connection: "wiki", UserID: "u1", Action: message.Revoke, RequestID: r.ID, Key: tg.Key, At: now}})
		}},
		{"RecordDrift", nil, func(l *ledger.Ledger) error {
			return l.RecordDrift(ctx, ledger.Drift{Connection: "wiki", Provider: "scim", UserID: "u1", RequestID: r.ID, Key: tg.Key, RevokedAt: now, SeenAt: now})
		}},
		{"SaveListing", nil, func(l *ledger.Ledger) error {
			return l.SaveListing(ctx, &ledger.Listing{ID: "l1", Connection: "wiki", StartedAt: now, UpdatedAt: now})
		}},
		{"PutListed", nil, func(l *ledger.Ledger) error {
			return l.PutListed(ctx, &ledger.Listing{ID: "l1", Connection: "wiki", StartedAt: now, UpdatedAt: now}, []ledger.ListedAccount{{UserID: "u1"}})
		}},
		{"PutOrphans", nil, func(l *ledger.Ledger) error {
			return l.PutOrphans(ctx, ledger.OrphanReport{Connection: "wiki", ListingID: "l1", ListedAt: now}, []ledger.Orphan{{UserID: "u1", FirstSeen: now, Status: "orphan"}})
		}},
		{"PublishOrphans", nil, func(l *ledger.Ledger) error {
			return l.PublishOrphans(ctx, ledger.OrphanReport{Connection: "wiki", ListingID: "l1", ListedAt: now})
		}},
		{"PutException", nil, func(l *ledger.Ledger) error {
			return l.PutException(ctx, ledger.Exception{Connection: "wiki", UserID: "u1", By: "token:ops", At: now})
		}},
		{"DeleteException", nil, func(l *ledger.Ledger) error { return l.DeleteException(ctx, "wiki", "u1") }},
	}
	table := ledger.Writes()
	var driven []string
	for _, st := range steps {
		driven = append(driven, st.method)
		t.Run(st.method, func(t *testing.T) {
			rec := &recorder{Store: inmem.NewStore(clock.Now), seen: map[string]bool{}}
			l := ledger.New(rec, 400*24*time.Hour)
			l.Now = clock.Now
			if st.setup != nil {
				if err := st.setup(l); err != nil {
					t.Fatal(err)
				}
				clear(rec.seen)
			}
			if err := st.call(l); err != nil {
				t.Fatal(err)
			}
			var got, want []string
			for k := range rec.seen {
				got = append(got, k)
			}
			for _, a := range table[st.method] {
				for _, k := range a.Kinds {
					want = append(want, a.Action+" "+k)
				}
			}
			sort.Strings(got)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s writes %v; ledger.Writes says %v", st.method, got, want)
			}
		})
	}
	for m := range table {
		if !slices.Contains(driven, m) {
			t.Errorf("ledger.Writes names %s, which this test does not drive", m)
		}
	}
}

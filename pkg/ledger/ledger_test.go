package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/awstest"
	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// stores runs fn on a ledger over the in-memory store, and over DynamoDB
// when a moto server is there.
func stores(t *testing.T, fn func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock)) {
	t.Run("memory", func(t *testing.T) {
		clock := storetest.NewClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
		l := ledger.New(inmem.NewStore(clock.Now), 400*24*time.Hour)
		l.Now = clock.Now
		fn(t, l, clock)
	})
	t.Run("dynamodb", func(t *testing.T) {
		if !awstest.Available() {
			t.Skip("no moto server")
		}
		clock := storetest.NewClock(time.Now().UTC())
		l, s := awstest.New(t).Ledger(t)
		s.Now, l.Now = clock.Now, clock.Now
		fn(t, l, clock)
	})
}

var ctx = context.Background()

func request(id string, at time.Time, targets ...ledger.Target) ledger.Request {
	return ledger.Request{ID: id, Action: message.Revoke, Source: message.SourceAPI, Actor: "token:ops", RequestedAt: at, Targets: len(targets)}
}

func target(conn, userID, email string) ledger.Target {
	return ledger.TargetOf(message.Target{Connection: conn, Provider: "scim", UserID: userID, Email: email})
}

func attempt(r ledger.Request, t ledger.Target, o message.Outcome, receive, redrive int, at time.Time) ledger.Attempt {
	return ledger.Attempt{RequestID: r.ID, Key: t.Key, MessageID: fmt.Sprintf("m%d-%d", receive, redrive), Outcome: o, Receive: receive, Redrive: redrive, At: at, RequestedAt: r.RequestedAt}
}

// changed (the change accepted, the proof to come) is not final: a later
// retry (its read-back disagreed) shows, the proof's done outranks it
// whatever the order, and a changed target leaves its request pending.
func TestFoldChanged(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	at := func(o message.Outcome, s int) ledger.Attempt {
		return ledger.Attempt{Key: "u:u1#wiki", Outcome: o, Receive: 1, At: now.Add(time.Duration(s) * time.Second)}
	}
	tests := []struct {
		name     string
		attempts []ledger.Attempt
		want     message.Outcome
	}{
		{"changed alone", []ledger.Attempt{at(message.Changed, 1)}, message.Changed},
		{"a read-back that disagreed shows as retrying", []ledger.Attempt{at(message.Changed, 1), at(message.Retrying, 2)}, message.Retrying},
		{"an earlier retry written late keeps changed", []ledger.Attempt{at(message.Changed, 2), at(message.Retrying, 1)}, message.Changed},
		{"the proof makes it done", []ledger.Attempt{at(message.Changed, 1), at(message.Retrying, 2), at(message.Done, 3)}, message.Done},
		{"done beats a changed written after it", []ledger.Attempt{at(message.Done, 3), at(message.Changed, 4)}, message.Done},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := ledger.Fold(ledger.Target{Key: "u:u1#wiki"}, tt.attempts, now)
			if st.Outcome != tt.want {
				t.Fatalf("got %s, want %s", st.Outcome, tt.want)
			}
			if s, _ := ledger.Summarize([]ledger.TargetStatus{st}); (s == ledger.StatusPending) != !tt.want.Final() {
				t.Fatalf("request status %s with a %s target", s, tt.want)
			}
		})
	}
}

// A late "retrying" never overwrites "done"; "done" beats "failed" only
// when it came from a later attempt; the status walks pending → done.
func TestFoldAcrossRedeliveries(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		now := clock.Now()
		a, b, c := target("wiki", "u1", ""), target("wiki", "", "b@example.com"), target("crm", "u3", "")
		r := request(message.NewID(), now, a, b, c)
		if err := l.CreateRequest(ctx, r, []ledger.Target{a, b, c}); err != nil {
			t.Fatal(err)
		}
		status := func() (string, map[message.Outcome]int, []ledger.TargetStatus) {
			rec, err := l.Load(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			sts := rec.Statuses()
			s, counts := ledger.Summarize(sts)
			return s, counts, sts
		}
		if s, counts, _ := status(); s != ledger.StatusPending || counts[message.Pending] != 3 {
			t.Fatalf("%s %v", s, counts)
		}
		// Delivery 2 settles a as done; delivery 1's "retrying" is written
		// after it (out of order).
		err := l.RecordAttempts(ctx, []ledger.Attempt{
			attempt(r, a, message.Done, 2, 0, now.Add(2*time.Second)),
			attempt(r, a, message.Retrying, 1, 0, now.Add(3*time.Second)),
			attempt(r, b, message.Retrying, 1, 0, now.Add(time.Second)),
		})
		if err != nil {
			t.Fatal(err)
		}
		if s, counts, _ := status(); s != ledger.StatusPending || counts[message.Done] != 1 || counts[message.Retrying] != 1 {
			t.Fatalf("%s %v", s, counts)
		}
		failed := attempt(r, c, message.Failed, 5, 0, now.Add(4*time.Second))
		failed.Code, failed.Message, failed.HTTPStatus = message.CodeExhausted, "last error: unavailable", 503
		b2 := attempt(r, b, message.NoAccount, 2, 0, now.Add(5*time.Second))
		if err := l.RecordAttempts(ctx, []ledger.Attempt{failed, b2}); err != nil {
			t.Fatal(err)
		}
		s, counts, sts := status()
		if s != ledger.StatusPartial || counts[message.Failed] != 1 {
			t.Fatalf("%s %v", s, counts)
		}
		for _, st := range sts {
			if st.Key == c.Key && (st.Code != message.CodeExhausted || st.HTTPStatus != 503 || st.Attempts != 1) {
				t.Fatalf("failed target: %+v", st)
			}
		}
		// A re-drive (redrive 1) succeeds: done, from a later attempt, wins.
		yes := true
		redo := attempt(r, c, message.Done, 1, 1, now.Add(time.Hour))
		redo.Verified = &yes
		if err := l.RecordAttempts(ctx, []ledger.Attempt{redo}); err != nil {
			t.Fatal(err)
		}
		s, counts, sts = status()
		if s != ledger.StatusDone || counts[message.Done] != 2 || counts[message.NoAccount] != 1 {
			t.Fatalf("%s %v", s, counts)
		}
		for _, st := range sts {
			if st.Key == c.Key && (st.Verified == nil || !*st.Verified || st.Attempts != 2) {
				t.Fatalf("re-driven target: %+v", st)
			}
		}
		// A failure from a later attempt (a duplicate delivery) beats done:
		// revoke never shows "done" over a later failure.
		late := attempt(r, c, message.Failed, 2, 1, now.Add(2*time.Hour))
		late.Code = message.CodeNotFound
		if err := l.RecordAttempts(ctx, []ledger.Attempt{late}); err != nil {
			t.Fatal(err)
		}
		if s, _, _ := status(); s != ledger.StatusPartial {
			t.Fatalf("%s", s)
		}
	})
}

func TestLoadUnknown(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, _ *storetest.Clock) {
		if _, err := l.Load(ctx, message.NewID()); !errors.Is(err, ledger.ErrNotFound) {
			t.Fatal(err)
		}
	})
}

// A person's history: newest first, paginated, their targets only, found
// by email targets and "*" fan-outs; never by an address a provider showed
// (a provider cannot write into a person's history).
func TestHistory(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		var ids []string
		for i := range 5 {
			clock.Add(time.Minute)
			r := request(message.NewID(), clock.Now())
			ts := []ledger.Target{target("wiki", "", "Alice@Example.com"), target("crm", "", "alice@example.com"), target("wiki", "", "bob@example.com")}
			if i == 4 { // a user_id target, whose provider showed alice's address: not hers
				ts = []ledger.Target{target("crm", "BL-7", "")}
			}
			if err := l.CreateRequest(ctx, r, ts); err != nil {
				t.Fatal(err)
			}
			if i == 4 {
				a := attempt(r, ts[0], message.Done, 1, 0, clock.Now())
				a.Shown = "ALICE@example.com"
				if err := l.RecordAttempts(ctx, []ledger.Attempt{a}); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, r.ID)
		}
		var got []string
		cursor := ""
		for range 4 {
			page, next, err := l.History(ctx, "alice@EXAMPLE.com", cursor, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, pr := range page {
				got = append(got, pr.Request.ID)
				if len(pr.Targets) != 2 {
					t.Fatalf("%s: %d targets, want 2 (alice's only)", pr.Request.ID, len(pr.Targets))
				}
			}
			if next == "" {
				break
			}
			cursor = next
		}
		want := []string{ids[3], ids[2], ids[1], ids[0]}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("history\n%v\nwant\n%v", got, want)
		}
		if page, _, _ := l.History(ctx, "nobody@example.com", "", 10); len(page) != 0 {
			t.Fatal("history of nobody")
		}
		for _, bad := range []string{"x", "2026-11-23T19:00:00.000000000Z#not-a-uuid", "yesterday#" + ids[0]} {
			if _, _, err := l.History(ctx, "alice@example.com", bad, 2); !errors.Is(err, ledger.ErrCursor) {
				t.Errorf("cursor %q: %v", bad, err)
			}
		}
	})
}

// Keys: the first claim wins for 24 hours, whatever claims after.
func TestKeys(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		first := ledger.KeyRecord{Key: "okta:" + message.NewID(), RequestID: "r1", Accepted: 3}
		if old, err := l.ClaimKey(ctx, first); err != nil || old != nil {
			t.Fatalf("%+v %v", old, err)
		}
		old, err := l.ClaimKey(ctx, ledger.KeyRecord{Key: first.Key, RequestID: "r2"})
		if err != nil || old == nil || old.RequestID != "r1" || old.Accepted != 3 {
			t.Fatalf("repeat: %+v %v", old, err)
		}
		clock.Add(25 * time.Hour)
		if old, err := l.ClaimKey(ctx, ledger.KeyRecord{Key: first.Key, RequestID: "r3"}); err != nil || old != nil {
			t.Fatalf("after 24 h: %+v %v", old, err)
		}
	})
}

// Requests with unqueued targets are found by age until they are
// complete; a partial send marks what was sent.
func TestUnqueued(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		a, b := target("wiki", "u1", ""), target("wiki", "u2", "")
		r := request(message.NewID(), clock.Now(), a, b)
		if err := l.CreateRequest(ctx, r, []ledger.Target{a, b}); err != nil {
			t.Fatal(err)
		}
		if got, _ := l.Unqueued(ctx, clock.Now().Add(-5*time.Minute), 10); len(got) != 0 {
			t.Fatal("a young request is listed")
		}
		if err := l.MarkQueued(ctx, r, []ledger.Target{a}, false); err != nil {
			t.Fatal(err)
		}
		clock.Add(6 * time.Minute)
		got, err := l.Unqueued(ctx, clock.Now().Add(-5*time.Minute), 10)
		if err != nil || len(got) != 1 || got[0].ID != r.ID {
			t.Fatalf("%+v %v", got, err)
		}
		rec, _ := l.Load(ctx, r.ID)
		if unq := rec.Unqueued(); len(unq) != 1 || unq[0].Key != b.Key {
			t.Fatalf("unqueued %+v", unq)
		}
		if err := l.MarkQueued(ctx, r, []ledger.Target{b}, true); err != nil {
			t.Fatal(err)
		}
		if got, _ := l.Unqueued(ctx, clock.Now(), 10); len(got) != 0 {
			t.Fatal("a complete request is listed")
		}
	})
}

func TestDirectoryAndUnresolved(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		dir := "identitystore:d-1234567890"
		if err := l.PutDirectoryUsers(ctx, []ledger.DirectoryUser{{Directory: dir, UserID: "u1", Emails: []string{"a@example.com"}}}); err != nil {
			t.Fatal(err)
		}
		if u, err := l.DirectoryUser(ctx, dir, "u1"); err != nil || u == nil || u.Emails[0] != "a@example.com" {
			t.Fatalf("%+v %v", u, err)
		}
		clock.Add(8 * 24 * time.Hour)
		if u, _ := l.DirectoryUser(ctx, dir, "u1"); u != nil {
			t.Fatal("a snapshot entry outlived 7 days without a refresh")
		}
		at := clock.Now()
		for i := range 3 {
			u := ledger.Unresolved{At: at.Add(time.Duration(i) * time.Second), Source: message.SourceCognito, UserID: fmt.Sprintf("sub-%d", i), EventID: "e", Key: fmt.Sprintf("cloudtrail:e%d", i)}
			for range 2 { // a redelivery records nothing new
				if err := l.RecordUnresolved(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
		}
		got, _, err := l.ListUnresolved(ctx, "", 10)
		if err != nil || len(got) != 3 || got[0].UserID != "sub-2" {
			t.Fatalf("%+v %v", got, err)
		}
	})
}

func TestSCIMUsers(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		u := ledger.SCIMUser{ID: message.NewID(), UserName: "Alice@Example.com", ExternalID: "ext-1", Active: true,
			Emails: []ledger.SCIMEmail{{Value: "alice@example.com", Type: "work", Primary: true}}, Created: clock.Now(), LastModified: clock.Now()}
		if err := l.CreateSCIMUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		dup := u
		dup.ID, dup.UserName = message.NewID(), "alice@example.COM"
		if err := l.CreateSCIMUser(ctx, dup); !errors.Is(err, ledger.ErrUniqueness) {
			t.Fatalf("duplicate userName: %v", err)
		}
		got, err := l.SCIMUserByName(ctx, "ALICE@example.com")
		if err != nil || got == nil || got.ID != u.ID || got.Version != 1 {
			t.Fatalf("%+v %v", got, err)
		}
		next := *got
		next.UserName, next.Active = "alice.smith@example.com", false
		next.Emails = []ledger.SCIMEmail{{Value: "alice.smith@example.com"}}
		saved, err := l.ReplaceSCIMUser(ctx, *got, next)
		if err != nil || saved.Version != 2 {
			t.Fatalf("%+v %v", saved, err)
		}
		if _, err := l.ReplaceSCIMUser(ctx, *got, next); !errors.Is(err, ledger.ErrVersion) {
			t.Fatalf("stale write: %v", err)
		}
		if old, _ := l.SCIMUserByName(ctx, "alice@example.com"); old != nil {
			t.Fatal("the old userName still finds the user")
		}
		if us, _ := l.SCIMUsersByEmail(ctx, "ALICE.SMITH@example.com"); len(us) != 1 {
			t.Fatalf("by email: %+v", us)
		}
		if us, _ := l.SCIMUsersByEmail(ctx, "alice@example.com"); len(us) != 0 {
			t.Fatal("a removed email still finds the user")
		}
		if us, _ := l.SCIMUsersByExternalID(ctx, "ext-1"); len(us) != 1 || us[0].Active {
			t.Fatalf("by externalId: %+v", us)
		}
		for i := range 4 {
			clock.Add(time.Second)
			if err := l.CreateSCIMUser(ctx, ledger.SCIMUser{ID: message.NewID(), UserName: fmt.Sprintf("user%d", i), Created: clock.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		page, total, err := l.SCIMUsers(ctx, "", 1, 2)
		if err != nil || total != 5 || len(page) != 2 || page[0].UserName != "user0" {
			t.Fatalf("list: %d %+v %v", total, page, err)
		}
		// Another token's users are listed and counted apart.
		if err := l.CreateSCIMUser(ctx, ledger.SCIMUser{ID: message.NewID(), UserName: "okta-user", Owner: "okta", Created: clock.Now()}); err != nil {
			t.Fatal(err)
		}
		if page, total, err := l.SCIMUsers(ctx, "okta", 0, 10); err != nil || total != 1 || len(page) != 1 || page[0].Owner != "okta" {
			t.Fatalf("owner's list: %d %+v %v", total, page, err)
		}
		if _, total, _ := l.SCIMUsers(ctx, "", 0, 10); total != 5 {
			t.Fatalf("the unowned list holds another owner's user: %d", total)
		}
		if err := l.DeleteSCIMUser(ctx, saved); err != nil {
			t.Fatal(err)
		}
		if gone, _ := l.SCIMUser(ctx, u.ID); gone != nil {
			t.Fatal("deleted user still there")
		}
		if err := l.CreateSCIMUser(ctx, ledger.SCIMUser{ID: message.NewID(), UserName: "alice.smith@example.com", Created: clock.Now()}); err != nil {
			t.Fatalf("a deleted user's userName must be free: %v", err)
		}
	})
}

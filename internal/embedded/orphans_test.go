package embedded_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/embedded"
	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/sweep"
)

func scimUser(t *testing.T, w *world, email string, active bool) {
	t.Helper()
	w.call(t, 201, "POST", "/scim/v2/Users", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"active":%t,"emails":[{"value":%q,"primary":true}]}`, email, active, email))
}

// listAndCompare runs the two sweep steps of an orphan listing: start it
// (the consumer reads the pages), then compare the finished listing.
func listAndCompare(t *testing.T, w *world) *sweep.Result {
	t.Helper()
	w.sweep(t, `{"orphans":{}}`)
	w.drain(t)
	return w.sweep(t, `{"orphans":{}}`)
}

func orphanResult(t *testing.T, r *sweep.Result, conn string) sweep.OrphanResult {
	t.Helper()
	for _, o := range r.Orphans {
		if o.Connection == conn {
			return o
		}
	}
	t.Fatalf("no orphan result for %s: %+v", conn, r.Orphans)
	return sweep.OrphanResult{}
}

// statuses maps each listed account's user id to its status (and who
// excepted it).
func statuses(t *testing.T, w *world, conn string) map[string]string {
	t.Helper()
	r := w.call(t, 200, "GET", "/orphans?connection="+conn, "")
	out := map[string]string{}
	for _, o := range r["orphans"].([]any) {
		m := o.(map[string]any)
		s := m["status"].(string)
		if by, ok := m["excepted_by"].(string); ok {
			s += " by " + by
		}
		out[m["user_id"].(string)] = s
	}
	return out
}

// Orphans against a SCIM-pushed directory: an account whose person is
// inactive or absent is an orphan; an excepted one is listed as excepted
// with who excepted it; a disabled account is no door. A dry run of the
// operator's revocation changes nothing; the real one revokes exactly the
// orphans, as a normal request with source orphans.
func TestOrphansAgainstSCIMDirectory(t *testing.T) {
	stores(t, func(t *testing.T, store ledger.Store) {
		w := start(t, store)
		scimUser(t, w, "alice@example.com", true)
		scimUser(t, w, "bob@example.com", false)
		w.SC.Add(simulator.User{ID: "sc-alice", Email: "Alice@Example.com"}, simulator.User{ID: "sc-bob", Email: "bob@example.com"},
			simulator.User{ID: "sc-carol", Email: "carol@example.com"}, simulator.User{ID: "sc-svc", Email: "backup-bot@example.com"},
			simulator.User{ID: "sc-dave", Email: "dave@example.com", Disabled: true})
		if err := w.Ledger.PutException(context.Background(), ledger.Exception{Connection: "wiki", UserID: "sc-svc", By: "token:ops-jane", Note: "backup service"}); err != nil {
			t.Fatal(err)
		}
		w.sweep(t, `{"orphans":{}}`)
		w.drain(t)
		if got := statuses(t, w, "wiki"); len(got) != 0 {
			t.Fatalf("orphans before the comparison: %v", got)
		}
		res := w.sweep(t, `{"orphans":{}}`)
		if r := orphanResult(t, res, "wiki"); r.Status != sweep.StatusCompared || r.Orphans != 2 || r.Excepted != 1 || r.Accounts != 5 {
			t.Fatalf("wiki: %+v", r)
		}
		if r := orphanResult(t, res, "mendix"); r.Status != sweep.StatusUnsupported || !strings.Contains(r.Error, "cannot list") {
			t.Fatalf("mendix: %+v", r)
		}
		want := map[string]string{"sc-bob": "orphan", "sc-carol": "orphan", "sc-svc": "excepted by token:ops-jane"}
		if got := statuses(t, w, "wiki"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("wiki orphans %v, want %v", got, want)
		}
		page := w.call(t, 200, "GET", "/orphans?connection=wiki", "")
		if fmt.Sprint(page["directory"]) != "[scim "+embedded.Directory+"]" || page["listed_at"] == nil || page["provider"] != "scim" {
			t.Fatalf("report %v", page)
		}
		csv := w.Call(context.Background(), "GET", "/orphans?connection=wiki&format=csv", "")
		if csv.Status != 200 || !strings.HasPrefix(csv.Body, "connection,provider,listed_at,user_id,email,last_sign_in,first_seen,status,excepted_by\n") || strings.Count(csv.Body, "\n") != 4 {
			t.Fatalf("csv %d %q", csv.Status, csv.Body)
		}

		dry := w.call(t, 202, "POST", "/orphans/revoke", `{"connection":"wiki","reason":"orphan clean-up","dry_run":true}`)
		w.drain(t)
		st := w.call(t, 200, "GET", "/revocations/"+dry["request_id"].(string), "")
		if st["dry_run"] != true || st["source"] != "orphans" || fmt.Sprint(st["counts"]) != "map[would_revoke:2]" {
			t.Fatalf("dry run %v", st)
		}
		for _, id := range []string{"sc-bob", "sc-carol"} {
			if u, _ := w.SC.User(id); u.Disabled {
				t.Fatalf("the dry run disabled %s", id)
			}
		}

		real := w.call(t, 202, "POST", "/orphans/revoke", `{"connection":"wiki","reason":"orphan clean-up"}`)
		if real["accepted"] != float64(2) {
			t.Fatalf("accepted %v", real)
		}
		w.drain(t)
		st = w.call(t, 200, "GET", "/revocations/"+real["request_id"].(string), "")
		if st["source"] != "orphans" || !strings.HasPrefix(st["actor"].(string), "token:") || st["status"] != "done" {
			t.Fatalf("request %v", st)
		}
		for id, revoked := range map[string]bool{"sc-bob": true, "sc-carol": true, "sc-svc": false, "sc-alice": false} {
			if u, _ := w.SC.User(id); u.Disabled != revoked {
				t.Fatalf("%s disabled=%t, want %t", id, u.Disabled, revoked)
			}
		}
		w.call(t, 409, "GET", "/orphans?connection=mendix", "")
	})
}

// Orphans against an Identity Center snapshot: an account whose address is
// in the snapshot is not an orphan; once the person is deleted in the
// directory (the next complete snapshot no longer has them), the next
// listing reports the account, and first_seen of an orphan that stays
// carries over.
func TestOrphansAgainstIdentityCenterSnapshot(t *testing.T) {
	stores(t, func(t *testing.T, store ledger.Store) {
		w := start(t, store)
		clock := time.Now()
		w.Sweep.Now = func() time.Time { return clock }
		w.dir.Put(embedded.Directory, directory.User{ID: "u-erin", Emails: []string{"erin@example.com"}})
		w.BL.Add(simulator.User{ID: "BL-erin", Email: "ERIN@example.com", LastActive: clock.Add(-time.Hour)}, simulator.User{ID: "BL-frank", Email: "frank@example.com"})
		res := listAndCompare(t, w)
		if r := orphanResult(t, res, "crm"); r.Status != sweep.StatusCompared || fmt.Sprint(r.Directory) != "["+embedded.Directory+"]" {
			t.Fatalf("crm: %+v", r)
		}
		if got := statuses(t, w, "crm"); fmt.Sprint(got) != "map[BL-frank:orphan]" {
			t.Fatalf("crm orphans %v", got)
		}
		first := w.call(t, 200, "GET", "/orphans?connection=crm", "")["orphans"].([]any)[0].(map[string]any)["first_seen"]

		w.dir.Delete(embedded.Directory, "u-erin")
		clock = clock.Add(25 * time.Hour)
		res = listAndCompare(t, w)
		if r := orphanResult(t, res, "crm"); r.Status != sweep.StatusCompared || r.Orphans != 2 {
			t.Fatalf("crm after the deletion: %+v", r)
		}
		page := w.call(t, 200, "GET", "/orphans?connection=crm", "")["orphans"].([]any)
		byID := map[string]map[string]any{}
		for _, o := range page {
			byID[o.(map[string]any)["user_id"].(string)] = o.(map[string]any)
		}
		if byID["BL-erin"] == nil || byID["BL-erin"]["last_sign_in"] == nil || byID["BL-frank"]["first_seen"] != first {
			t.Fatalf("orphans %v (frank first seen %v)", byID, first)
		}
	})
}

// A listing cut short (here after each page, as the Lambda deadline cuts
// it) continues from where it stopped, never reads a page twice, and
// reports nothing until every page is read.
func TestInterruptedListingNoFalseOrphans(t *testing.T) {
	stores(t, func(t *testing.T, store ledger.Store) {
		w := start(t, store)
		w.Consumers[0].ListingPages = 1
		for i := range 1200 {
			w.JA.Add(simulator.User{ID: fmt.Sprintf("ja-%04d", i), Email: fmt.Sprintf("p%04d@example.com", i)})
		}
		for i := range 1000 { // everyone but the last 200 is in the directory
			w.dir.Put(embedded.Directory, directory.User{ID: fmt.Sprintf("u%04d", i), Emails: []string{fmt.Sprintf("P%04d@example.com", i)}})
		}
		w.sweep(t, `{"orphans":{}}`)
		poller := &inmem.Poller{Queue: w.Queue, URL: w.QueueURL, BatchSize: 1, Visibility: time.Minute, Timeout: 20 * time.Second}
		if n, _, err := poller.Once(context.Background(), w.Consumers[0].Handle); n != 1 || err != nil {
			t.Fatalf("one page: %d %v", n, err)
		}
		res := w.sweep(t, `{"orphans":{}}`)
		if r := orphanResult(t, res, "field-app"); r.Status != sweep.StatusListing || r.Pages != 1 || r.Accounts != 500 {
			t.Fatalf("after one page: %+v", r)
		}
		if got := statuses(t, w, "field-app"); len(got) != 0 {
			t.Fatalf("half a list reported: %d orphans", len(got))
		}
		w.drain(t)
		res = w.sweep(t, `{"orphans":{}}`)
		if r := orphanResult(t, res, "field-app"); r.Status != sweep.StatusCompared || r.Pages != 3 || r.Accounts != 1200 || r.Orphans != 200 {
			t.Fatalf("after every page: %+v", r)
		}
		if n := w.JA.Stats().ByRoute["objects"]; n != 3 {
			t.Fatalf("%d listing requests for 3 pages: a page was read again", n)
		}
		var ids []string
		for id := range statuses(t, w, "field-app") {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		if len(ids) != 100 || ids[0] != "ja-1000" { // the first page of 100 (the default page)
			t.Fatalf("orphans %v", ids)
		}
	})
}

// With no directory configured, orphan detection is off and says why.
func TestOrphansOffWithoutDirectory(t *testing.T) {
	w := start(t, nil)
	cfg := *w.Config
	cfg.DirectorySources, cfg.SCIMTokensSecretID = nil, ""
	w.Sweep.Config, w.API.Config = &cfg, &cfg
	res := w.sweep(t, `{"orphans":{}}`)
	if r := orphanResult(t, res, "crm"); r.Status != sweep.StatusOff || r.Error != sweep.NoDirectory {
		t.Fatalf("crm: %+v", r)
	}
	r := w.call(t, 409, "GET", "/orphans?connection=crm", "")
	if e := r["error"].(map[string]any); e["code"] != "no_directory" {
		t.Fatalf("%v", r)
	}
}

// An account revoke revoked itself is never an orphan, even where the
// listing cannot show its lock state (JourneyApps' user model); under a
// connection's orphans: revoke the sweep revokes the orphans it finds by
// itself, as a request with source orphans and actor sweep.
func TestOrphansRevokedAndAutoRevoke(t *testing.T) {
	stores(t, func(t *testing.T, store ledger.Store) {
		w := start(t, store)
		w.setSecret(t, "field-app", map[string]any{"orphans": "revoke"})
		w.JA.Add(simulator.User{ID: "ja-left", Email: "left@example.com", Enrolled: true}, simulator.User{ID: "ja-forgotten", Email: "forgotten@example.com", Enrolled: true},
			simulator.User{ID: "ja-staff", Email: "staff@example.com", Enrolled: true})
		w.dir.Put(embedded.Directory, directory.User{ID: "u-staff", Emails: []string{"staff@example.com"}})
		w.call(t, 202, "POST", "/revocations", `{"targets":[{"connection":"field-app","user_id":"ja-left"}]}`)
		w.drain(t)
		res := listAndCompare(t, w)
		r := orphanResult(t, res, "field-app")
		if r.Status != sweep.StatusCompared || r.Orphans != 1 || r.RequestID == "" {
			t.Fatalf("field-app: %+v", r)
		}
		if got := statuses(t, w, "field-app"); fmt.Sprint(got) != "map[ja-forgotten:orphan]" {
			t.Fatalf("orphans %v", got)
		}
		w.drain(t)
		st := w.call(t, 200, "GET", "/revocations/"+r.RequestID, "")
		if st["source"] != "orphans" || st["actor"] != "sweep" || st["status"] != "done" {
			t.Fatalf("%v", st)
		}
		for id, locked := range map[string]bool{"ja-forgotten": true, "ja-staff": false} {
			if u, _ := w.JA.User(id); u.Disabled != locked {
				t.Fatalf("%s locked=%t", id, u.Disabled)
			}
		}
	})
}

// A person the directory shows disabled (a user pool's AdminDisableUser:
// still listed, Enabled false) is not active there: their account is an
// orphan, as a deleted person's is. Before, the snapshot kept every listed
// user as present and the account was never reported.
func TestOrphansOfADisabledDirectoryUser(t *testing.T) {
	stores(t, func(t *testing.T, store ledger.Store) {
		w := start(t, store)
		w.dir.Put(embedded.Directory, directory.User{ID: "u-erin", Emails: []string{"erin@example.com"}})
		w.dir.Put(embedded.Directory, directory.User{ID: "u-frank", Emails: []string{"frank@example.com"}, Disabled: true})
		w.BL.Add(simulator.User{ID: "BL-erin", Email: "erin@example.com"}, simulator.User{ID: "BL-frank", Email: "frank@example.com"})
		res := listAndCompare(t, w)
		if r := orphanResult(t, res, "crm"); r.Status != sweep.StatusCompared || r.Orphans != 1 {
			t.Fatalf("crm: %+v", r)
		}
		if got := statuses(t, w, "crm"); fmt.Sprint(got) != "map[BL-frank:orphan]" {
			t.Fatalf("crm orphans %v", got)
		}
	})
}

// Revoking a report without orphans makes no request: 200 with accepted 0
// and no request id (before: 202 with an empty request_id).
func TestRevokingNoOrphans(t *testing.T) {
	stores(t, func(t *testing.T, store ledger.Store) {
		w := start(t, store)
		w.dir.Put(embedded.Directory, directory.User{ID: "u-john", Emails: []string{"john.doe@example.com"}})
		w.SC.Add(simulator.User{ID: "sc-john", Email: "john.doe@example.com"})
		listAndCompare(t, w)
		got := w.call(t, 200, "POST", "/orphans/revoke", `{"connection":"wiki"}`)
		if _, ok := got["request_id"]; ok || got["accepted"] != float64(0) {
			t.Fatalf("no orphans answered %v", got)
		}
	})
}

// A SCIM account is matched to a person by any address it shows: an IdP
// that sends its UPN as userName and the person's address in emails[]
// leaves no false orphan. Before, only the userName was compared, and
// john.doe was listed as an orphan (and revoked under orphans: revoke).
func TestOrphansMatchAnyAddressOfAnAccount(t *testing.T) {
	stores(t, func(t *testing.T, store ledger.Store) {
		w := start(t, store)
		w.dir.Put(embedded.Directory, directory.User{ID: "u-john", Emails: []string{"john.doe@example.com"}})
		w.SC.Add(simulator.User{ID: "sc-john", Email: "John.Doe@example.com", Handle: "jdoe@corp.onmicrosoft.example"},
			simulator.User{ID: "sc-nobody", Email: "nobody@example.com", Handle: "nobody@corp.onmicrosoft.example"})
		listAndCompare(t, w)
		got := statuses(t, w, "wiki")
		if _, ok := got["sc-john"]; ok || got["sc-nobody"] != "orphan" {
			t.Fatalf("wiki orphans %v", got)
		}
	})
}

package api

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// bigRequest records a request of n user_id targets on wiki, each done
// once (with an account the provider resolved, for the CSV's user_id).
func bigRequest(t *testing.T, e *env, n int) string {
	t.Helper()
	r := ledger.Request{ID: message.NewID(), Action: message.Revoke, Source: message.SourceSweep, Actor: "sweep", RequestedAt: time.Now()}
	var ts []ledger.Target
	var as []ledger.Attempt
	for i := range n {
		tg := ledger.TargetOf(message.Target{Connection: "wiki", Provider: "scim", Email: fmt.Sprintf("person-%05d@corp.example", i)})
		ts = append(ts, tg)
		as = append(as, ledger.Attempt{RequestID: r.ID, Key: tg.Key, MessageID: "m", Outcome: message.Done, Receive: 1, At: time.Now(),
			RequestedAt: r.RequestedAt, ResolvedIDs: []string{fmt.Sprintf("sc-%05d", i)}, Message: strings.Repeat("x", 200)})
	}
	if err := e.ledger.CreateRequest(context.Background(), r, ts); err != nil {
		t.Fatal(err)
	}
	if err := e.ledger.RecordAttempts(context.Background(), as); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// Status and evidence reads are bounded: every page after the first, JSON
// or CSV, costs at most two ledger calls (the request item and one query),
// however large the request; the first page also counts the whole request
// once, streaming, so every page shows the request's true status and
// counts (docs/design.md §1); the CSV is paged with X-Next-Cursor. The
// CSV's user_id names the account an email resolved to.
// (Before: every page read the whole partition, and the CSV was one
// response of every target.)
func TestStatusPagesAreBounded(t *testing.T) {
	e := newEnv(t, nil)
	const n = 4000
	id := bigRequest(t, e, n)
	for _, tc := range []struct {
		name   string
		format string
		limit  string
	}{
		{"json", "", "1000"},
		{"csv", "csv", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen, pages, cursor := 0, 0, ""
			for {
				r := httpReq("GET", "/revocations/"+id, "", nil)
				r.QueryStringParameters = map[string]string{}
				for k, v := range map[string]string{"format": tc.format, "limit": tc.limit, "cursor": cursor} {
					if v != "" {
						r.QueryStringParameters[k] = v
					}
				}
				before := e.store.Calls.Load()
				resp, body := e.do(t, r)
				// The first page's count reads the partition in queries of
				// 1000 items: n targets and n attempts.
				bound := int64(2)
				if pages == 0 {
					bound += (2*n)/1000 + 1
				}
				if calls := e.store.Calls.Load() - before; resp.StatusCode != 200 || calls > bound {
					t.Fatalf("page %d: %d, %d ledger calls", pages, resp.StatusCode, calls)
				}
				if tc.format == "" && (body["status"] != "done" || body["counts"].(map[string]any)["done"] != float64(n)) {
					t.Fatalf("page %d: %v %v", pages, body["status"], body["counts"])
				}
				pages++
				if tc.format == "csv" {
					rows, err := csv.NewReader(strings.NewReader(resp.Body)).ReadAll()
					if err != nil || len(rows) < 2 || rows[1][7] == "" || !strings.HasPrefix(rows[1][7], "sc-") {
						t.Fatalf("csv page %d: %v %v", pages, err, rows[:min(2, len(rows))])
					}
					seen += len(rows) - 1
					if cursor = resp.Headers["X-Next-Cursor"]; cursor == "" {
						break
					}
					continue
				}
				seen += len(body["targets"].([]any))
				if body["next"] == nil {
					if c := body["counts"].(map[string]any); c["done"] != float64(n) || body["status"] != "done" {
						t.Fatalf("last page: %v %v", c, body["status"])
					}
					break
				}
				cursor = body["next"].(string)
			}
			if seen != n || pages != 4 {
				t.Fatalf("%d targets in %d pages", seen, pages)
			}
		})
	}
}

// A cursor the API did not issue, a number out of range included, is a
// 400 that names the cursor, never a 500. (Before: o:9223372036854775807
// answered 500.)
func TestStatusCursorForged(t *testing.T) {
	e := newEnv(t, nil)
	id := bigRequest(t, e, 3)
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct{ name, cursor string }{
		{"old offset at MaxInt64", enc("o:9223372036854775807")},
		{"offset", enc("o:100")},
		{"not base64", "!!"},
		{"not json", enc("{")},
		{"no position", enc(`{"a":"","c":{}}`)},
		{"outside the targets", enc(`{"a":"#","c":{}}`)},
		{"count out of range", enc(`{"a":"T#x","c":{"done":99999999999}}`)},
		{"negative count", enc(`{"a":"T#x","c":{"done":-1}}`)},
		{"not an outcome", enc(`{"a":"T#x","c":{"<b>":1}}`)},
		{"unknown field", enc(`{"a":"T#x","c":{},"z":1}`)},
		{"too long", enc(`{"a":"T#` + strings.Repeat("x", 3000) + `","c":{}}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httpReq("GET", "/revocations/"+id, "", nil)
			r.QueryStringParameters = map[string]string{"cursor": tc.cursor}
			resp, body := e.do(t, r)
			if resp.StatusCode != 400 || !strings.Contains(fmt.Sprint(body), "cursor") {
				t.Fatalf("%d %v", resp.StatusCode, body)
			}
		})
	}
}

// The account is named: a target given by email shows the provider user id
// of each account it resolved to, in the status (resolved_ids), the
// history and the CSV's user_id column. (Before: the CSV's user_id was
// empty for every email target.)
func TestCSVNamesTheAccounts(t *testing.T) {
	e := newEnv(t, nil)
	id := submitOK(t, e, `{"targets":[{"connection":"wiki","email":"alice@example.com"}]}`, nil)
	rec, err := e.ledger.Load(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	a := ledger.Attempt{RequestID: id, Key: rec.Targets[0].Key, MessageID: "m", Outcome: message.Done, Receive: 1, At: time.Now(),
		RequestedAt: rec.Request.RequestedAt, ResolvedIDs: []string{"sc-1", "sc-2"}}
	if err := e.ledger.RecordAttempts(context.Background(), []ledger.Attempt{a}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, email string }{
		{"status", "/revocations/" + id, ""},
		{"history", "/revocations", "alice@example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httpReq("GET", tc.path, "", nil)
			r.QueryStringParameters = map[string]string{"format": "csv"}
			if tc.email != "" {
				r.QueryStringParameters["email"] = tc.email
			}
			resp, _ := e.do(t, r)
			rows, err := csv.NewReader(strings.NewReader(resp.Body)).ReadAll()
			if err != nil || len(rows) != 2 || rows[1][7] != "sc-1 sc-2" || rows[1][8] != "alice@example.com" {
				t.Fatalf("%d %v %v", resp.StatusCode, rows, err)
			}
			delete(r.QueryStringParameters, "format")
			resp, _ = e.do(t, r)
			if !strings.Contains(resp.Body, `"resolved_ids":["sc-1","sc-2"]`) || !strings.Contains(resp.Body, `"user_id":"sc-1 sc-2","email":"alice@example.com"`) {
				t.Fatalf("json %s", resp.Body)
			}
		})
	}
}

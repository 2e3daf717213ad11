package api

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
)

func submitOK(t *testing.T, e *env, body string, headers map[string]string) string {
	t.Helper()
	resp, b := e.do(t, httpReq("POST", "/revocations", body, headers))
	if resp.StatusCode != 202 {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	return b["request_id"].(string)
}

// An Idempotency-Key repeat answers the first 202 and queues nothing; the
// same key with another body is a conflict; another caller's same key is
// its own request.
func TestIdempotencyKey(t *testing.T) {
	e := newEnv(t, nil)
	h := map[string]string{"idempotency-key": "offboard-HR-4211"}
	first := submitOK(t, e, validBody, h)
	resp, body := e.do(t, httpReq("POST", "/revocations", strings.ReplaceAll(validBody, "\n", " "), h))
	if resp.StatusCode != 202 || body["request_id"] != first || body["accepted"] != float64(7) || len(e.q.Sent()) != 7 {
		t.Fatalf("repeat: %d %v, %d queued", resp.StatusCode, body, len(e.q.Sent()))
	}
	resp, body = e.do(t, httpReq("POST", "/revocations", `{"targets":[{"connection":"crm","user_id":"other"}]}`, h))
	if resp.StatusCode != 409 || body["error"].(map[string]any)["code"] != "idempotency_conflict" || len(e.q.Sent()) != 7 {
		t.Fatalf("conflict: %d %v", resp.StatusCode, body)
	}
	h["authorization"] = "Bearer " + revokeToken
	if other := submitOK(t, e, validBody, h); other == first {
		t.Fatal("another caller's key returned the first caller's request")
	}
}

// The first arrival could not queue everything (503); the repeat with the
// same key sends only the targets never queued, then answers as the first
// would have.
func TestRepeatQueuesOnlyWhatWasNotQueued(t *testing.T) {
	e := newEnv(t, nil)
	e.q.Refuse = func(_, _ int, m queue.Outgoing) bool { return strings.Contains(m.Body, `"mendix"`) }
	h := map[string]string{"idempotency-key": "k-1"}
	if resp, _ := e.do(t, httpReq("POST", "/revocations", validBody, h)); resp.StatusCode != 503 {
		t.Fatalf("first: %d", resp.StatusCode)
	}
	queued := len(e.q.Sent())
	e.q.Refuse = nil
	resp, body := e.do(t, httpReq("POST", "/revocations", validBody, h))
	if resp.StatusCode != 202 || body["accepted"] != float64(7) {
		t.Fatalf("repeat: %d %v", resp.StatusCode, body)
	}
	if len(e.q.Sent()) != 7 || queued != 5 {
		t.Fatalf("queued %d then %d in all, want 5 then 7", queued, len(e.q.Sent()))
	}
}

// The ledger cannot be written: 503 and nothing queued.
func TestLedgerDown(t *testing.T) {
	e := newEnv(t, nil)
	e.store.SetFailure(errors.New("ServiceUnavailable"))
	resp, _ := e.do(t, httpReq("POST", "/revocations", validBody, nil))
	if resp.StatusCode != 503 || resp.Headers["Retry-After"] == "" || e.q.Calls() != 0 {
		t.Fatalf("%d, %d queue calls", resp.StatusCode, e.q.Calls())
	}
	r := httpReq("GET", "/revocations", "", nil)
	r.QueryStringParameters = map[string]string{"email": "a@example.com"}
	if resp, _ := e.do(t, r); resp.StatusCode != 503 {
		t.Fatalf("history with the ledger down: %d", resp.StatusCode)
	}
}

func TestDryRunRequests(t *testing.T) {
	e := newEnv(t, nil)
	id := submitOK(t, e, `{"dry_run":true,"targets":[{"connection":"crm","user_id":"a"}]}`, map[string]string{"authorization": "Bearer " + revokeToken})
	if m := messages(t, e.q); len(m) != 1 || !m[0].DryRun {
		t.Fatalf("%+v", m)
	}
	_, st := e.do(t, httpReq("GET", "/revocations/"+id, "", nil))
	if st["dry_run"] != true {
		t.Fatalf("%v", st)
	}
	shadow := newEnv(t, map[string]string{"DRY_RUN": "true"})
	submitOK(t, shadow, validBody, nil)
	for _, m := range messages(t, shadow.q) {
		if !m.DryRun {
			t.Fatal("DRY_RUN=true must make every request a dry run")
		}
	}
}

// GET /revocations/{id}: counts, status and every target's latest outcome,
// paginated; bad ids are 400s, unknown ones 404.
func TestStatus(t *testing.T) {
	e := newEnv(t, map[string]string{"MAX_TARGETS": "1000"})
	var ts []string
	for i := range 250 {
		ts = append(ts, fmt.Sprintf(`{"connection":"wiki","user_id":"u%03d"}`, i))
	}
	id := submitOK(t, e, `{"reason":"team","targets":[`+strings.Join(ts, ",")+`]}`, nil)
	rec, err := e.ledger.Load(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	at := time.Now()
	var attempts []ledger.Attempt
	for i, tg := range rec.Targets {
		a := ledger.Attempt{RequestID: id, Key: tg.Key, Outcome: message.Done, Receive: 1, At: at, Verified: &yes, RequestedAt: rec.Request.RequestedAt}
		if i == 0 {
			a.Outcome, a.Code, a.Message, a.HTTPStatus = message.Failed, message.CodeNotFound, "no such user", 404
		}
		attempts = append(attempts, a)
	}
	if err := e.ledger.RecordAttempts(context.Background(), attempts[:200]); err != nil {
		t.Fatal(err)
	}
	resp, body := e.do(t, httpReq("GET", "/revocations/"+id, "", map[string]string{"authorization": "Bearer " + readToken}))
	if resp.StatusCode != 200 || body["status"] != "pending" || body["actor"] == "" || body["source"] != "api" || body["reason"] != "team" {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	// Every page shows the whole request's status and counts (the first
	// page counts them all; later pages carry them in the cursor).
	counts := body["counts"].(map[string]any)
	if counts["done"] != float64(199) || counts["failed"] != float64(1) || counts["pending"] != float64(50) || len(body["targets"].([]any)) != 100 {
		t.Fatalf("counts %v, %d targets", counts, len(body["targets"].([]any)))
	}
	first := body["targets"].([]any)[0].(map[string]any)
	if first["outcome"] != "failed" || first["error_code"] != "not_found" || first["http_status"] != float64(404) || first["attempts"] != float64(1) || first["user_id"] != "u000" {
		t.Fatalf("target %v", first)
	}
	seen := 0
	next := ""
	for {
		r := httpReq("GET", "/revocations/"+id, "", nil)
		r.QueryStringParameters = map[string]string{"limit": "70", "cursor": next}
		_, b := e.do(t, r)
		seen += len(b["targets"].([]any))
		if b["next"] == nil {
			if c := b["counts"].(map[string]any); c["done"] != float64(199) || c["failed"] != float64(1) || c["pending"] != float64(50) || b["status"] != "pending" {
				t.Fatalf("last page: %v %v", c, b["status"])
			}
			break
		}
		if b["status"] != "pending" {
			t.Fatalf("a page before the last says %v", b["status"])
		}
		next = b["next"].(string)
	}
	if seen != 250 {
		t.Fatalf("pages held %d targets", seen)
	}
	if err := e.ledger.RecordAttempts(context.Background(), attempts[200:]); err != nil {
		t.Fatal(err)
	}
	last := httpReq("GET", "/revocations/"+id, "", nil)
	last.QueryStringParameters = map[string]string{"limit": "1000"}
	if _, b := e.do(t, last); b["status"] != "partial" {
		t.Fatalf("%v", b["status"])
	}
	for path, want := range map[string]int{
		"/revocations/" + message.NewID(): 404,
		"/revocations/not-a-uuid":         400,
		"/revocations/..%2f":              400,
	} {
		if resp, _ := e.do(t, httpReq("GET", path, "", nil)); resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	for q, v := range map[string]string{"limit": "0", "cursor": "!!", "format": "xml"} {
		r := httpReq("GET", "/revocations/"+id, "", nil)
		r.QueryStringParameters = map[string]string{q: v}
		if resp, _ := e.do(t, r); resp.StatusCode != 400 {
			t.Errorf("%s=%s: %d", q, v, resp.StatusCode)
		}
	}
	if resp, _ := e.do(t, httpReq("GET", "/revocations/"+id, "", map[string]string{"authorization": "Bearer " + oktaToken})); resp.StatusCode != 403 {
		t.Errorf("okta token reads: %d", resp.StatusCode)
	}
}

// A person's history and the CSV evidence; hostile reasons and addresses
// cannot become spreadsheet formulas.
func TestHistoryAndCSV(t *testing.T) {
	e := newEnv(t, nil)
	first := submitOK(t, e, `{"reason":"=HYPERLINK(\"http://evil\")","targets":[{"connection":"*","email":"Alice@example.com"}]}`, nil)
	second := submitOK(t, e, `{"reason":"+1 second","targets":[{"connection":"crm","email":"alice@example.com"},{"connection":"crm","email":"-x@example.com"}]}`, nil)
	rec, _ := e.ledger.Load(context.Background(), second)
	for _, tg := range rec.Targets {
		a := ledger.Attempt{RequestID: second, Key: tg.Key, Outcome: message.Failed, Code: message.CodeProvider, Message: "=cmd|' /C calc'!A0", Receive: 1, At: time.Now(), RequestedAt: rec.Request.RequestedAt}
		if err := e.ledger.RecordAttempts(context.Background(), []ledger.Attempt{a}); err != nil {
			t.Fatal(err)
		}
	}
	r := httpReq("GET", "/revocations", "", map[string]string{"authorization": "Bearer " + readToken})
	r.QueryStringParameters = map[string]string{"email": "ALICE@example.com", "limit": "1"}
	resp, body := e.do(t, r)
	if resp.StatusCode != 200 || body["email"] != "alice@example.com" {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	reqs := body["requests"].([]any)
	if len(reqs) != 1 || reqs[0].(map[string]any)["request_id"] != second || len(reqs[0].(map[string]any)["targets"].([]any)) != 1 || body["next"] == nil {
		t.Fatalf("page 1: %v", body)
	}
	r.QueryStringParameters["cursor"] = body["next"].(string)
	_, body = e.do(t, r)
	if reqs := body["requests"].([]any); len(reqs) != 1 || reqs[0].(map[string]any)["request_id"] != first || len(reqs[0].(map[string]any)["targets"].([]any)) != 4 {
		t.Fatalf("page 2: %v", body)
	}
	r.QueryStringParameters = map[string]string{"email": "alice@example.com", "format": "csv"}
	resp, _ = e.do(t, r)
	rows, err := csv.NewReader(strings.NewReader(resp.Body)).ReadAll()
	if err != nil || resp.StatusCode != 200 || len(rows) != 6 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("%d %v %v", resp.StatusCode, rows, err)
	}
	for _, row := range rows[1:] {
		for _, c := range row {
			if c != "" && strings.ContainsAny(c[:1], "=+-@") {
				t.Fatalf("cell %q starts a formula", c)
			}
		}
	}
	if !strings.Contains(resp.Body, `'=cmd|`) {
		t.Fatalf("csv %s", resp.Body)
	}
	r2 := httpReq("GET", "/revocations/"+second, "", nil)
	r2.QueryStringParameters = map[string]string{"format": "csv"}
	resp, _ = e.do(t, r2)
	if !strings.Contains(resp.Body, "'-x@example.com") {
		t.Fatalf("csv %s", resp.Body)
	}
	for _, bad := range []map[string]string{{}, {"email": "not an email"}, {"email": "a@example.com", "cursor": "eA"}, {"email": "a@example.com", "limit": "1001"}} {
		r := httpReq("GET", "/revocations", "", nil)
		r.QueryStringParameters = bad
		if resp, _ := e.do(t, r); resp.StatusCode != 400 {
			t.Errorf("%v: %d", bad, resp.StatusCode)
		}
	}
}

// A target whose change the provider accepted and whose read-back is still
// to come is changed in the status (its count, the request still running)
// and in the CSV, never done.
func TestChangedInStatusAndCSV(t *testing.T) {
	e := newEnv(t, nil)
	id := submitOK(t, e, `{"targets":[{"connection":"crm","user_id":"BL-1"}]}`, nil)
	rec, _ := e.ledger.Load(context.Background(), id)
	a := ledger.Attempt{RequestID: id, Key: rec.Targets[0].Key, MessageID: "m1", Outcome: message.Changed, Receive: 1, At: time.Now(), RequestedAt: rec.Request.RequestedAt}
	if err := e.ledger.RecordAttempts(context.Background(), []ledger.Attempt{a}); err != nil {
		t.Fatal(err)
	}
	resp, body := e.do(t, httpReq("GET", "/revocations/"+id, "", nil))
	tg := body["targets"].([]any)[0].(map[string]any)
	if resp.StatusCode != 200 || tg["outcome"] != "changed" || fmt.Sprint(body["counts"]) != "map[changed:1]" || body["status"] == "done" {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	r := httpReq("GET", "/revocations/"+id, "", nil)
	r.QueryStringParameters = map[string]string{"format": "csv"}
	resp, _ = e.do(t, r)
	rows, err := csv.NewReader(strings.NewReader(resp.Body)).ReadAll()
	col := slices.Index(csvHeader, "outcome")
	if err != nil || len(rows) != 2 || col < 0 || rows[1][col] != "changed" {
		t.Fatalf("csv %q %v", resp.Body, err)
	}
}

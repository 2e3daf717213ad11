package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/retry"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/submit"
)

const token = "s3cr3t-token-0123456789"

// messages decodes what the queue accepted.
func messages(t *testing.T, q *inmem.Sender) []*message.Message {
	t.Helper()
	m, err := q.Messages()
	if err != nil {
		t.Fatalf("enqueued an undecodable body: %v", err)
	}
	return m
}

type env struct {
	h      *Handler
	q      *inmem.Sender
	log    *bytes.Buffer
	store  *inmem.Store
	ledger *ledger.Ledger
}

func newEnv(t *testing.T, vars map[string]string) *env {
	t.Helper()
	base := map[string]string{
		"CONNECTIONS":          "field-app=journeyapps,crm=backendless,mendix=mendix,wiki=scim",
		"QUEUE_URL":            "https://sqs.test/q",
		"API_TOKENS_SECRET_ID": "revoke/api-tokens",
	}
	for k, v := range vars {
		base[k] = v
	}
	cfg, err := config.Load(func(k string) string { return base[k] })
	if err != nil {
		t.Fatal(err)
	}
	store := &inmem.Secrets{}
	store.Put("revoke/api-tokens", `{"tokens":["old-token-abcdefghijkl","`+token+`",
	  {"name":"okta-prod","token":"`+oktaToken+`","scopes":["okta"]},
	  {"name":"auditor","token":"`+readToken+`","scopes":["read"]},
	  {"name":"offboarding","token":"`+revokeToken+`","scopes":["revoke"]}]}`)
	var buf bytes.Buffer
	q := &inmem.Sender{}
	log := audit.NewLogger(io.MultiWriter(&buf, testWriter(t)), slog.LevelDebug)
	ls := inmem.NewStore(nil)
	var st ledger.Store = ls
	if ledgerStore != nil {
		st = ledgerStore(t)
	}
	led := ledger.New(st, time.Hour)
	return &env{q: q, log: &buf, store: ls, ledger: led, h: &Handler{
		Config: cfg,
		Auth:   &auth.Authenticator{SecretID: cfg.APITokensSecretID, Source: secrets.NewCache(store, time.Minute), RefreshAfter: time.Minute},
		Submit: &submit.Submitter{Config: cfg, Ledger: led, Queue: q, Log: log, SendPolicy: retry.Policy{Attempts: 5, Base: time.Millisecond, Max: 5 * time.Millisecond}},
		Ledger: led,
		Log:    log,
		Budget: 2 * time.Second,
	}}
}

// ledgerStore, when set, gives newEnv's ledger another store (moto's
// DynamoDB in TestIntegrationLedger); nil: in memory.
var ledgerStore func(t *testing.T) ledger.Store

// Tokens with scopes (docs/design.md §1).
const (
	oktaToken   = "okta-hook-token-0123456789"
	readToken   = "auditor-token-0123456789"
	revokeToken = "revoke-only-token-0123456789"
)

func testWriter(t *testing.T) io.Writer {
	if os.Getenv("REVOKE_TEST_LOGS") != "" {
		return os.Stderr
	}
	return io.Discard
}

func httpReq(method, path, body string, headers map[string]string) events.APIGatewayV2HTTPRequest {
	h := map[string]string{"authorization": "Bearer " + token, "content-type": "application/json"}
	for k, v := range headers {
		if v == "" {
			delete(h, k)
		} else {
			h[k] = v
		}
	}
	r := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "$default", RawPath: path, Headers: h, Body: body}
	r.RequestContext.HTTP.Method = method
	r.RequestContext.HTTP.Path = path
	r.RequestContext.Stage = "$default"
	return r
}

func (e *env) do(t *testing.T, r events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, map[string]any) {
	t.Helper()
	resp, err := e.h.Handle(context.Background(), r)
	if err != nil {
		t.Fatalf("handler returned an error: %v", err)
	}
	if resp.Headers["X-Request-Id"] == "" || (resp.Headers["Content-Type"] != "application/json" && !strings.HasPrefix(resp.Headers["Content-Type"], "text/csv")) {
		t.Errorf("missing headers: %v", resp.Headers)
	}
	var body map[string]any
	if strings.HasPrefix(resp.Headers["Content-Type"], "text/csv") {
		return resp, nil
	}
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatalf("body %q is not JSON: %v", resp.Body, err)
	}
	return resp, body
}

const validBody = `{"action":"revoke","reason":"leaver HR-4211","targets":[
 {"connection":"field-app","user_id":"ad66ab80-4d54-11ea-b7e8-77bec61efea5","wipe":false},
 {"connection":"crm","user_id":"4D584E4D-05A3-4AC4-90C7-B80D1584E7AD"},
 {"connection":"mendix","email":"alice@example.com"},
 {"connection":"*","email":"bob@example.com"}]}`

func TestRevocationAccepted(t *testing.T) {
	e := newEnv(t, nil)
	resp, body := e.do(t, httpReq("POST", "/revocations", validBody, nil))
	if resp.StatusCode != 202 {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	if body["accepted"] != float64(7) || body["request_id"] != resp.Headers["X-Request-Id"] {
		t.Errorf("body = %v", body)
	}
	msgs := messages(t, e.q)
	if len(msgs) != 7 {
		t.Fatalf("enqueued %d, want 7", len(msgs))
	}
	actor := "token:" + auth.PlainName(token)
	for _, m := range msgs {
		if m.RequestID != body["request_id"] || m.Reason != "leaver HR-4211" || m.Source != "api" || m.RequestedAt.IsZero() || m.Actor != actor || m.DryRun {
			t.Errorf("message %+v", m)
		}
	}
	if strings.Contains(e.log.String(), token) {
		t.Error("the token reached the log")
	}
	if !strings.Contains(e.log.String(), `"actor":"`+actor+`"`) {
		t.Errorf("the request log line does not name the actor: %s", e.log.String())
	}
	rec, err := e.ledger.Load(context.Background(), body["request_id"].(string))
	if err != nil || rec.Request.Actor != actor || len(rec.Targets) != 7 || !rec.Request.Complete {
		t.Fatalf("ledger: %+v %v", rec, err)
	}
}

func TestStagePrefixAndBase64(t *testing.T) {
	e := newEnv(t, nil)
	r := httpReq("POST", "/prod/revocations", base64.StdEncoding.EncodeToString([]byte(validBody)), map[string]string{"Content-Type": "application/json; charset=utf-8", "content-type": ""})
	r.RequestContext.Stage = "prod"
	r.IsBase64Encoded = true
	if resp, _ := e.do(t, r); resp.StatusCode != 202 {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
}

func TestRejectedRequestsEnqueueNothing(t *testing.T) {
	tests := []struct {
		name   string
		req    events.APIGatewayV2HTTPRequest
		vars   map[string]string
		status int
		code   string
		field  string
		header [2]string
	}{
		{name: "no token", req: httpReq("POST", "/revocations", validBody, map[string]string{"authorization": ""}), status: 401, code: "unauthorized"},
		{name: "wrong token", req: httpReq("POST", "/revocations", validBody, map[string]string{"authorization": "Bearer nope"}), status: 401, code: "unauthorized"},
		{name: "token prefix", req: httpReq("POST", "/revocations", validBody, map[string]string{"authorization": "Bearer " + token[:10]}), status: 401, code: "unauthorized"},
		{name: "basic scheme", req: httpReq("POST", "/revocations", validBody, map[string]string{"authorization": "Basic " + token}), status: 401, code: "unauthorized"},
		{name: "fail closed", req: httpReq("POST", "/revocations", validBody, nil), vars: map[string]string{"API_TOKENS_SECRET_ID": ""}, status: 503, code: "unavailable"},
		{name: "invalid field", req: httpReq("POST", "/revocations", `{"targets":[{"connection":"crm","user_id":"../admin"}]}`, nil), status: 400, code: "invalid_request", field: "targets[0].user_id"},
		{name: "not json", req: httpReq("POST", "/revocations", `revoke bob`, nil), status: 400, code: "invalid_request"},
		{name: "unknown connection", req: httpReq("POST", "/revocations", `{"targets":[{"connection":"x","user_id":"a"}]}`, nil), status: 400, code: "invalid_request", field: "targets[0].connection"},
		{name: "mendix restore", req: httpReq("POST", "/revocations", `{"action":"restore","targets":[{"connection":"mendix","email":"a@example.com"}]}`, nil), status: 400, code: "invalid_request", field: "targets[0]"},
		{name: "too many", req: httpReq("POST", "/revocations", `{"targets":[{"connection":"crm","user_id":"a"},{"connection":"crm","user_id":"b"}]}`, nil), vars: map[string]string{"MAX_TARGETS": "1"}, status: 400, code: "invalid_request", field: "targets"},
		{name: "too large", req: httpReq("POST", "/revocations", strings.Repeat(" ", 256<<10+1), nil), status: 413, code: "payload_too_large"},
		{name: "text/plain", req: httpReq("POST", "/revocations", validBody, map[string]string{"content-type": "text/plain"}), status: 415, code: "unsupported_media_type"},
		{name: "no content type", req: httpReq("POST", "/revocations", validBody, map[string]string{"content-type": ""}), status: 415, code: "unsupported_media_type"},
		{name: "unknown route", req: httpReq("POST", "/admin", validBody, nil), status: 404, code: "not_found"},
		{name: "PUT revocations", req: httpReq("PUT", "/revocations", "", nil), status: 405, code: "method_not_allowed", header: [2]string{"Allow", "GET, POST"}},
		{name: "okta token on revocations", req: httpReq("POST", "/revocations", validBody, map[string]string{"authorization": "Bearer " + oktaToken}), status: 403, code: "forbidden"},
		{name: "okta token restores", req: httpReq("POST", "/revocations", `{"action":"restore","targets":[{"connection":"*","email":"a@example.com"}]}`, map[string]string{"authorization": "Bearer " + oktaToken}), status: 403, code: "forbidden"},
		{name: "revoke token restores", req: httpReq("POST", "/revocations", `{"action":"restore","targets":[{"connection":"crm","user_id":"a"}]}`, map[string]string{"authorization": "Bearer " + revokeToken}), status: 403, code: "forbidden"},
		{name: "read token revokes", req: httpReq("POST", "/revocations", validBody, map[string]string{"authorization": "Bearer " + readToken}), status: 403, code: "forbidden"},
		{name: "read token on okta", req: httpReq("POST", "/hooks/okta", oktaDelivery, map[string]string{"authorization": "Bearer " + readToken}), status: 403, code: "forbidden"},
		{name: "bidi reason", req: httpReq("POST", "/revocations", `{"reason":"ok ‮evil","targets":[{"connection":"crm","user_id":"a"}]}`, nil), status: 400, code: "invalid_request", field: "reason"},
		{name: "bad idempotency key", req: httpReq("POST", "/revocations", validBody, map[string]string{"idempotency-key": "has space"}), status: 400, code: "invalid_request", field: "Idempotency-Key"},
		{name: "long idempotency key", req: httpReq("POST", "/revocations", validBody, map[string]string{"idempotency-key": strings.Repeat("k", 129)}), status: 400, code: "invalid_request", field: "Idempotency-Key"},
		{name: "DELETE okta", req: httpReq("DELETE", "/hooks/okta", "", nil), status: 405, code: "method_not_allowed", header: [2]string{"Allow", "GET, POST"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.vars)
			resp, body := e.do(t, tt.req)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
			}
			errObj, _ := body["error"].(map[string]any)
			if errObj["code"] != tt.code || errObj["message"] == "" {
				t.Errorf("error = %v", body)
			}
			if tt.field != "" && errObj["field"] != tt.field {
				t.Errorf("field = %v, want %s", errObj["field"], tt.field)
			}
			if tt.header[0] != "" && resp.Headers[tt.header[0]] != tt.header[1] {
				t.Errorf("%s = %q", tt.header[0], resp.Headers[tt.header[0]])
			}
			if e.q.Calls() != 0 {
				t.Errorf("queue was called %d times", e.q.Calls())
			}
		})
	}
}

// In IAM mode API Gateway has authorized the /revocations routes; the
// actor is the caller's ARN. The Okta hook still needs its bearer token.
func TestIAMMode(t *testing.T) {
	e := newEnv(t, map[string]string{"AUTH_MODE": "iam"})
	r := httpReq("POST", "/revocations", validBody, map[string]string{"authorization": ""})
	r.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{UserARN: "arn:aws:iam::123456789012:user/ops"}}
	resp, body := e.do(t, r)
	if resp.StatusCode != 202 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if m := messages(t, e.q); m[0].Actor != "iam:arn:aws:iam::123456789012:user/ops" {
		t.Fatalf("actor %q", m[0].Actor)
	}
	get := withAuth(httpReq("GET", "/revocations/"+body["request_id"].(string), "", nil), "")
	get.RequestContext.Authorizer = r.RequestContext.Authorizer
	st, sb := e.do(t, get)
	if st.StatusCode != 200 || sb["actor"] != "iam:arn:aws:iam::123456789012:user/ops" {
		t.Fatalf("status %d %v", st.StatusCode, sb)
	}
	if resp, _ := e.do(t, httpReq("POST", "/hooks/okta", oktaDelivery, map[string]string{"authorization": ""})); resp.StatusCode != 401 {
		t.Fatalf("okta hook without a token in IAM mode: %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, httpReq("POST", "/hooks/okta", oktaDelivery, map[string]string{"authorization": "Bearer " + oktaToken})); resp.StatusCode != 200 {
		t.Fatalf("okta hook with its token in IAM mode: %d", resp.StatusCode)
	}
}

// TestIAMModeNeedsCaller: in IAM mode a request that API Gateway's IAM
// authorizer did not name answers 401 and changes nothing, even with a
// valid bearer token (before: it got every scope as "iam:unknown").
func TestIAMModeNeedsCaller(t *testing.T) {
	iam := func(arn string) *events.APIGatewayV2HTTPRequestContextAuthorizerDescription {
		return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{UserARN: arn}}
	}
	for _, tc := range []struct {
		name       string
		authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription
	}{
		{"no authorizer", nil},
		{"no iam", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{}},
		{"empty arn", iam("")},
		{"not an arn", iam("ops")},
		{"control characters", iam("arn:aws:iam::1:user/\u202eops")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, map[string]string{"AUTH_MODE": "iam"})
			for _, r := range []events.APIGatewayV2HTTPRequest{
				httpReq("POST", "/revocations", validBody, nil),
				httpReq("GET", "/revocations", "", nil),
			} {
				r.RequestContext.Authorizer = tc.authorizer
				if resp, _ := e.do(t, r); resp.StatusCode != 401 || e.q.Calls() != 0 {
					t.Fatalf("%s %s: status %d, queue calls %d", r.RequestContext.HTTP.Method, r.RawPath, resp.StatusCode, e.q.Calls())
				}
			}
		})
	}
}

func withAuth(r events.APIGatewayV2HTTPRequest, tok string) events.APIGatewayV2HTTPRequest {
	if tok == "" {
		delete(r.Headers, "authorization")
	} else {
		r.Headers["authorization"] = "Bearer " + tok
	}
	return r
}

func TestQueueRecovers(t *testing.T) {
	e := newEnv(t, nil)
	e.q.Refuse = func(call, i int, _ queue.Outgoing) bool { return call <= 2 && i%2 == 0 } // first calls refuse half the entries
	resp, _ := e.do(t, httpReq("POST", "/revocations", validBody, nil))
	if resp.StatusCode != 202 {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	msgs := messages(t, e.q)
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.Connection+m.Subject()]++
	}
	if len(msgs) != 7 || len(seen) != 7 {
		t.Fatalf("want each of 7 targets exactly once, got %v", seen)
	}
}

func TestQueueNeverRecovers(t *testing.T) {
	for name, q := range map[string]*inmem.Sender{
		"entries refused": {Refuse: func(_, _ int, m queue.Outgoing) bool { return strings.Contains(m.Body, "mendix") }},
		"calls fail":      {Err: errors.New("connection refused")},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.h.Submit.Queue, e.q = q, q
			resp, body := e.do(t, httpReq("POST", "/revocations", validBody, nil))
			if resp.StatusCode != 503 || resp.Headers["Retry-After"] == "" {
				t.Fatalf("status %d headers %v", resp.StatusCode, resp.Headers)
			}
			if body["error"].(map[string]any)["code"] != "unavailable" || strings.Contains(resp.Body, "connection refused") {
				t.Errorf("body %s", resp.Body)
			}
			if !strings.Contains(e.log.String(), "not_queued_targets") {
				t.Errorf("log does not name what was not enqueued: %s", e.log.String())
			}
		})
	}
}

func TestOktaVerification(t *testing.T) {
	e := newEnv(t, nil)
	resp, body := e.do(t, httpReq("GET", "/hooks/okta", "", map[string]string{"x-okta-verification-challenge": "abc123"}))
	if resp.StatusCode != 200 || body["verification"] != "abc123" {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	if resp, _ := e.do(t, httpReq("GET", "/hooks/okta", "", map[string]string{"authorization": ""})); resp.StatusCode != 401 {
		t.Errorf("unauthenticated verification: %d", resp.StatusCode)
	}
}

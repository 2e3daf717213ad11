package scimapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/pkg/api"
	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/scimapi"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/submit"
)

const (
	scimToken     = "entra-scim-secret-token-0123456789"
	oktaSCIMToken = "okta-scim-secret-token-0123456789"
	readSCIMToken = "read-only-scim-token-0123456789"
	// The entra IdP's rotated token and its read-only token.
	rotatedSCIMToken = "entra-scim-rotated-token-0123456789"
	entraReadToken   = "entra-scim-read-token-0123456789"
	plainSCIMToken   = "plain-scim-token-0123456789"
)

// messages decodes what the front door queued.
func messages(t *testing.T, q *inmem.Sender) []*message.Message {
	t.Helper()
	m, err := q.Messages()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type fixture struct {
	metrics *bytes.Buffer
	api     *api.Handler
	scim    *scimapi.Handler
	q       *inmem.Sender
	ledger  *ledger.Ledger
	store   *inmem.Store
}

func newFixture(t testing.TB, vars map[string]string) *fixture {
	return newFixtureOn(t, vars, nil, nil)
}

// newFixtureOn builds the API with the SCIM front door on a ledger store
// and a queue (nil: in memory).
func newFixtureOn(t testing.TB, vars map[string]string, store ledger.Store, next queue.Sender) *fixture {
	t.Helper()
	env := map[string]string{"CONNECTIONS": "field-app=journeyapps,crm=backendless,mendix=mendix,wiki=scim", "QUEUE_URL": "q",
		"API_TOKENS_SECRET_ID": "revoke-auth/api", "SCIM_TOKENS_SECRET_ID": "revoke-auth/scim"}
	for k, v := range vars {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	sec := &inmem.Secrets{}
	sec.Put("revoke-auth/scim", `{"tokens":[{"name":"entra","token":"`+scimToken+`","scopes":[]},
		{"name":"okta","token":"`+oktaSCIMToken+`","scopes":["scim:read","scim:write"]},
		{"name":"auditor","token":"`+readSCIMToken+`","scopes":["scim:read"]},
		{"name":"entra-2026","idp":"entra","token":"`+rotatedSCIMToken+`"},
		{"name":"entra-audit","idp":"entra","token":"`+entraReadToken+`","scopes":["scim:read"]},
		"`+plainSCIMToken+`"]}`)
	sec.Put("revoke-auth/api", `{"tokens":["api-token-not-for-scim-0123"]}`)
	cache := secrets.NewCache(sec, time.Minute)
	mem := inmem.NewStore(nil)
	if store == nil {
		store = mem
	}
	led := ledger.New(store, time.Hour)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	q := &inmem.Sender{Next: next}
	metrics := &bytes.Buffer{}
	sub := &submit.Submitter{Config: cfg, Ledger: led, Queue: q, Log: log, Metrics: metrics}
	scim := &scimapi.Handler{Restore: cfg.SCIMRestore, Auth: &auth.Authenticator{SecretID: cfg.SCIMTokensSecretID, Source: cache}, Ledger: led, Submit: sub}
	h := &api.Handler{Config: cfg, Auth: &auth.Authenticator{SecretID: cfg.APITokensSecretID, Source: cache}, Submit: sub, Ledger: led, Log: log, SCIM: scim}
	return &fixture{api: h, scim: scim, q: q, ledger: led, store: mem, metrics: metrics}
}

type answer struct {
	status int
	header map[string]string
	body   map[string]any
	raw    string
}

// call sends one SCIM request; path may carry a raw query string.
func (f *fixture) call(t testing.TB, method, path, body string, headers ...string) answer {
	t.Helper()
	p, rawQuery, _ := strings.Cut(path, "?")
	h := map[string]string{"authorization": "Bearer " + scimToken, "content-type": "application/scim+json", "host": "abc.execute-api.us-east-1.amazonaws.com"}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			delete(h, headers[i])
		} else {
			h[headers[i]] = headers[i+1]
		}
	}
	r := events.APIGatewayV2HTTPRequest{RawPath: p, RawQueryString: rawQuery, Headers: h, Body: body}
	r.RequestContext.HTTP.Method = method
	r.RequestContext.DomainName = "abc.execute-api.us-east-1.amazonaws.com"
	resp, err := f.api.Handle(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Headers, raw: resp.Body}
	if resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), &a.body); err != nil {
			t.Fatalf("%s %s: body %q is not JSON", method, path, resp.Body)
		}
		if ct := resp.Headers["Content-Type"]; ct != "application/scim+json" {
			t.Fatalf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	return a
}

func (a answer) scimError(t *testing.T, status int, scimType string) {
	t.Helper()
	schemas, _ := a.body["schemas"].([]any)
	if a.status != status || len(schemas) != 1 || schemas[0] != scimapi.SchemaError || a.body["status"] != fmt.Sprint(status) || (scimType != "" && a.body["scimType"] != scimType) {
		t.Fatalf("want a SCIM %d %s error, got %d %s", status, scimType, a.status, a.raw)
	}
}

func q(s string) string { return url.QueryEscape(s) }

// entraUser is Entra ID's documented create request (non-compliant
// defaults: capitalised ops, "False" strings in PATCH).
const entraUser = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
 "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_ab6490ee@testuser.com","active":true,
 "emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@testuser.com"}],"meta":{"resourceType":"User"},
 "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[],
 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","employeeNumber":"42"}}`

// TestEntraSequence replays Entra ID's provisioning of one user: test
// connection, create, match by filter, profile updates, the soft delete
// (active "False") and the hard delete weeks later. Exactly one revoke.
func TestEntraSequence(t *testing.T) { entraSequence(t, newFixture(t, nil)) }

func entraSequence(t *testing.T, f *fixture) {
	if a := f.call(t, "GET", "/scim/v2/ServiceProviderConfig", ""); a.status != 200 || a.body["patch"].(map[string]any)["supported"] != true || a.body["bulk"].(map[string]any)["supported"] != false {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	a := f.call(t, "GET", "/scim/v2/Users?filter="+q(`userName eq "Test_User_ab6490ee@testuser.com"`), "")
	if a.status != 200 || a.body["totalResults"] != float64(0) || len(a.body["Resources"].([]any)) != 0 || a.body["schemas"].([]any)[0] != scimapi.SchemaListResponse {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	a = f.call(t, "POST", "/scim/v2/Users", entraUser)
	if a.status != 201 || a.body["id"] == "" || a.header["Location"] != a.body["meta"].(map[string]any)["location"] || a.header["ETag"] != `W/"1"` ||
		!strings.HasPrefix(a.header["Location"], "https://abc.execute-api.us-east-1.amazonaws.com/scim/v2/Users/") {
		t.Fatalf("create: %d %v %s", a.status, a.header, a.raw)
	}
	id := a.body["id"].(string)
	// Entra's validator writes spaces as "+" in the query.
	for _, filter := range []string{"userName+eq+%22test_user_AB6490EE%40testuser.com%22", q(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`),
		q(`emails[type eq "work"].value eq "Test_User_fd0ea19b@testuser.com"`), q(`id eq "` + id + `"`)} {
		if a := f.call(t, "GET", "/scim/v2/Users?filter="+filter, ""); a.status != 200 || a.body["totalResults"] != float64(1) || a.body["Resources"].([]any)[0].(map[string]any)["active"] != true {
			t.Fatalf("filter %s: %d %s", filter, a.status, a.raw)
		}
	}
	if a := f.call(t, "GET", "/scim/v2/Users/"+id, ""); a.status != 200 || a.body["externalId"] != "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef" {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	// Profile-only changes enqueue nothing.
	for _, patch := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@testuser.com"},{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"2819c223-7f76-453a-919d-413861904646"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}`,
	} {
		if a := f.call(t, "PATCH", "/scim/v2/Users/"+id, patch); a.status != 200 || a.body["active"] != true {
			t.Fatalf("%s: %d %s", patch, a.status, a.raw)
		}
	}
	if a := f.call(t, "GET", "/scim/v2/Users/"+id, ""); a.body["name"].(map[string]any)["familyName"] != "updatedFamilyName" || a.body["emails"].([]any)[0].(map[string]any)["value"] != "updatedEmail@testuser.com" {
		t.Fatalf("%s", a.raw)
	}
	if len(f.q.Sent()) != 0 {
		t.Fatalf("profile changes enqueued %d messages", len(f.q.Sent()))
	}
	// The soft delete: Entra's default dialect.
	disable := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`
	a = f.call(t, "PATCH", "/scim/v2/Users/"+id, disable)
	if a.status != 200 || a.body["active"] != false || a.header["ETag"] == `W/"1"` {
		t.Fatalf("disable: %d %s", a.status, a.raw)
	}
	msgs := messages(t, f.q)
	if len(msgs) != 8 { // two addresses (userName, the email) on four connections
		t.Fatalf("%d messages", len(msgs))
	}
	for _, m := range msgs {
		if m.Source != message.SourceSCIM || m.Actor != "scim:entra" || m.Action != message.Revoke || !strings.Contains(m.Reason, "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef") {
			t.Fatalf("%+v", m)
		}
	}
	// Sending the same state again, and the hard delete weeks later, revoke
	// nothing more.
	if a := f.call(t, "PATCH", "/scim/v2/Users/"+id, disable); a.status != 200 || len(f.q.Sent()) != 8 {
		t.Fatalf("repeat: %d, %d messages", a.status, len(f.q.Sent()))
	}
	if a := f.call(t, "DELETE", "/scim/v2/Users/"+id, ""); a.status != 204 || a.raw != "" || len(f.q.Sent()) != 8 {
		t.Fatalf("delete: %d %q, %d messages", a.status, a.raw, len(f.q.Sent()))
	}
	f.call(t, "GET", "/scim/v2/Users/"+id, "").scimError(t, 404, "")
	// The revocation is in the ledger under the person's address.
	hist, _, err := f.ledger.History(context.Background(), "updatedemail@testuser.com", "", 10)
	if err != nil || len(hist) != 1 || hist[0].Request.Source != message.SourceSCIM || hist[0].Request.Actor != "scim:entra" {
		t.Fatalf("history %+v %v", hist, err)
	}
}

// TestOktaSequence replays Okta's SCIM 2.0 integration: filter with
// paging, create, PUT with the full resource, the path-less deactivation,
// and a reactivation (a restore only when SCIM_RESTORE is on).
func TestOktaSequence(t *testing.T) {
	for _, restore := range []bool{false, true} {
		oktaSequence(t, newFixture(t, map[string]string{"SCIM_RESTORE": fmt.Sprint(restore)}), restore)
	}
}

func oktaSequence(t *testing.T, f *fixture, restore bool) {
	{
		if a := f.call(t, "GET", "/scim/v2/Users?filter="+q(`userName eq "test.user@okta.local"`)+"&startIndex=1&count=100", ""); a.status != 200 || a.body["totalResults"] != float64(0) {
			t.Fatalf("%d %s", a.status, a.raw)
		}
		user := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},
		 "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`
		a := f.call(t, "POST", "/scim/v2/Users", user, "content-type", "application/json")
		if a.status != 201 || a.body["password"] != nil {
			t.Fatalf("%d %s", a.status, a.raw)
		}
		id := a.body["id"].(string)
		a = f.call(t, "PUT", "/scim/v2/Users/"+id, strings.Replace(user, `"familyName":"User"`, `"familyName":"Renamed"`, 1))
		if a.status != 200 || a.body["name"].(map[string]any)["familyName"] != "Renamed" || len(f.q.Sent()) != 0 {
			t.Fatalf("put: %d %s", a.status, a.raw)
		}
		a = f.call(t, "PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
		if a.status != 200 || a.body["active"] != false || len(f.q.Sent()) != 4 {
			t.Fatalf("deactivate: %d %s, %d messages", a.status, a.raw, len(f.q.Sent()))
		}
		f.settle(t, message.Done) // the consumer revoked each account
		a = f.call(t, "PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`)
		want := 4
		if restore {
			want = 7 // a restore on the three connections that can
		}
		if a.status != 200 || len(f.q.Sent()) != want {
			t.Fatalf("reactivate (restore %v): %d, %d messages", restore, a.status, len(f.q.Sent()))
		}
		if restore {
			last := messages(t, f.q)[6]
			if last.Action != message.Restore || last.Provider == "mendix" {
				t.Fatalf("%+v", last)
			}
		}
		// Okta deactivates by PUT too.
		if a := f.call(t, "PUT", "/scim/v2/Users/"+id, strings.Replace(user, `"active":true`, `"active":false`, 1)); a.status != 200 || len(f.q.Sent()) != want+4 {
			t.Fatalf("put inactive: %d, %d messages", a.status, len(f.q.Sent()))
		}
	}
}

// Deleting an active user revokes; a user without any address is
// recorded as unresolved and enqueues nothing.
func TestDeleteAndUnresolved(t *testing.T) {
	f := newFixture(t, nil)
	a := f.call(t, "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"jdoe@example.com"}`)
	if d := f.call(t, "DELETE", "/scim/v2/Users/"+a.body["id"].(string), ""); d.status != 204 || len(f.q.Sent()) != 4 {
		t.Fatalf("%d, %d messages", d.status, len(f.q.Sent()))
	}
	a = f.call(t, "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"jdoe-handle"}`)
	f.call(t, "PATCH", "/scim/v2/Users/"+a.body["id"].(string), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)
	if len(f.q.Sent()) != 4 {
		t.Fatalf("%d messages", len(f.q.Sent()))
	}
	un, _, _ := f.ledger.ListUnresolved(context.Background(), "", 10)
	if len(un) != 1 || un[0].Source != message.SourceSCIM || un[0].UserID != a.body["id"] {
		t.Fatalf("%+v", un)
	}
	if m := f.metrics.String(); strings.Count(m, `"unresolved":1`) != 1 || !strings.Contains(m, `"Dimensions":[["source"],[]]`) {
		t.Fatalf("the unresolved metric: %s", m)
	}
}

// Hostile and wrong input: a SCIM error, and nothing changes.
func TestRefusals(t *testing.T) {
	f := newFixture(t, nil)
	a := f.call(t, "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen@example.com","emails":[{"value":"bjensen@example.com"}]}`)
	id := a.body["id"].(string)
	before := f.store.Len()
	patch := func(ops string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
	}
	many := strings.TrimSuffix(strings.Repeat(`{"op":"replace","path":"displayName","value":"x"},`, 101), ",")
	for _, tc := range []struct {
		method, path, body string
		status             int
		scimType           string
		headers            []string
	}{
		{"GET", "/scim/v2/Users?filter=" + q(`displayName co "b"`), "", 400, "invalidFilter", nil},
		{"GET", "/scim/v2/Users?filter=" + q(`userName sw "b"`), "", 400, "invalidFilter", nil},
		{"GET", "/scim/v2/Users?filter=" + q(`userName eq "a" or userName eq "b"`), "", 400, "invalidFilter", nil},
		{"GET", "/scim/v2/Users?filter=" + q(`userName eq bjensen`), "", 400, "invalidFilter", nil},
		{"GET", "/scim/v2/Users?startIndex=x", "", 400, "invalidValue", nil},
		{"POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"BJensen@example.com"}`, 409, "uniqueness", nil},
		{"POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`, 400, "invalidValue", nil},
		{"POST", "/scim/v2/Users", `{"schemas":["urn:example:custom"],"userName":"x"}`, 400, "invalidValue", nil},
		{"POST", "/scim/v2/Users", `{"userName":"x"}`, 400, "invalidValue", nil},
		{"POST", "/scim/v2/Users", `not json`, 400, "invalidSyntax", nil},
		{"POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x","active":"maybe"}`, 400, "invalidValue", nil},
		{"POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + strings.Repeat("x", 300<<10) + `"}`, 413, "", nil},
		{"POST", "/scim/v2/Users", `{}`, 415, "", []string{"content-type", "text/plain"}},
		{"POST", "/scim/v2/Users", `{}`, 401, "", []string{"authorization", "Bearer api-token-not-for-scim-0123"}},
		{"GET", "/scim/v2/Users/" + message.NewID(), "", 404, "", nil},
		{"GET", "/scim/v2/Users/..%2f..%2fetc", "", 404, "", nil},
		{"PATCH", "/scim/v2/Users/not-ours", patch(`{"op":"replace","path":"active","value":false}`), 404, "", nil},
		{"PUT", "/scim/v2/Users/" + message.NewID(), `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"z"}`, 404, "", nil},
		{"DELETE", "/scim/v2/Users/" + message.NewID(), "", 404, "", nil},
		{"PATCH", "/scim/v2/Users/" + id, patch(many), 400, "invalidValue", nil},
		{"PATCH", "/scim/v2/Users/" + id, `{"Operations":[{"op":"replace","path":"active","value":false}]}`, 400, "invalidValue", nil},
		{"PATCH", "/scim/v2/Users/" + id, patch(`{"op":"delete","path":"active"}`), 400, "invalidValue", nil},
		{"PATCH", "/scim/v2/Users/" + id, patch(`{"op":"replace","path":"active","value":"nope"}`), 400, "invalidValue", nil},
		{"PATCH", "/scim/v2/Users/" + id, patch(`{"op":"replace","path":"userName","value":""}`), 400, "invalidValue", nil},
		{"PATCH", "/scim/v2/Users/" + id, patch(`{"op":"replace","path":"active","value":false}`), 412, "", []string{"if-match", `W/"99"`}},
		{"PUT", "/scim/v2/Users/" + id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"q","active":false}`, 412, "", []string{"if-match", `W/"0"`}},
		{"POST", "/scim/v2/Groups", `{"displayName":"g"}`, 501, "", nil},
		{"PATCH", "/scim/v2/Groups/g1", `{}`, 501, "", nil},
		{"POST", "/scim/v2/Bulk", `{}`, 501, "", nil},
		{"GET", "/scim/v2/Nope", "", 404, "", nil},
		{"DELETE", "/scim/v2/Users", "", 405, "", nil},
	} {
		a := f.call(t, tc.method, tc.path, tc.body, tc.headers...)
		if tc.status == 401 {
			if a.status != 401 {
				t.Errorf("%s %s: %d", tc.method, tc.path, a.status)
			}
			continue
		}
		t.Run(tc.method+" "+tc.path[:min(len(tc.path), 60)], func(t *testing.T) { a.scimError(t, tc.status, tc.scimType) })
	}
	if len(f.q.Sent()) != 0 || f.store.Len() != before {
		t.Fatalf("refused requests changed something: %d messages, %d → %d items", len(f.q.Sent()), before, f.store.Len())
	}
	if u, _ := f.ledger.SCIMUser(context.Background(), id); !u.Active || u.Version != 1 {
		t.Fatalf("%+v", u)
	}
	if a := f.call(t, "GET", "/scim/v2/Groups", ""); a.status != 200 || a.body["totalResults"] != float64(0) {
		t.Fatalf("groups: %d %s", a.status, a.raw)
	}
	if a := f.call(t, "PATCH", "/scim/v2/Users/"+id, patch(`{"op":"replace","path":"displayName","value":"ok"}`), "if-match", `W/"1"`); a.status != 200 || a.header["ETag"] != `W/"2"` {
		t.Fatalf("if-match that matches: %d %s", a.status, a.raw)
	}
}

func TestFailsClosedWithoutTokens(t *testing.T) {
	f := newFixture(t, map[string]string{"SCIM_TOKENS_SECRET_ID": ""})
	f.call(t, "GET", "/scim/v2/Users", "").scimError(t, 503, "")
	f.call(t, "GET", "/scim/v2/ServiceProviderConfig", "").scimError(t, 503, "")
}

func TestDiscoveryAndPaging(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 5 {
		f.call(t, "POST", "/scim/v2/Users", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u%d@example.com"}`, i))
	}
	a := f.call(t, "GET", "/scim/v2/Users?startIndex=2&count=2", "")
	if a.body["totalResults"] != float64(5) || a.body["startIndex"] != float64(2) || a.body["itemsPerPage"] != float64(2) ||
		a.body["Resources"].([]any)[0].(map[string]any)["userName"] != "u1@example.com" {
		t.Fatalf("%s", a.raw)
	}
	if a := f.call(t, "GET", "/scim/v2/Users?count=0", ""); a.body["totalResults"] != float64(5) || len(a.body["Resources"].([]any)) != 0 {
		t.Fatalf("%s", a.raw)
	}
	if a := f.call(t, "GET", "/scim/v2/ResourceTypes", ""); a.body["Resources"].([]any)[0].(map[string]any)["endpoint"] != "/Users" {
		t.Fatalf("%s", a.raw)
	}
	if a := f.call(t, "GET", "/scim/v2/Schemas/"+scimapi.SchemaUser, ""); a.body["id"] != scimapi.SchemaUser {
		t.Fatalf("%s", a.raw)
	}
	if a := f.call(t, "GET", "/scim/v2/ServiceProviderConfig", ""); a.body["filter"].(map[string]any)["maxResults"] != float64(100) || a.body["etag"].(map[string]any)["supported"] != true {
		t.Fatalf("%s", a.raw)
	}
}

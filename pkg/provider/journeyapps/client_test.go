package journeyapps

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/providertest"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

const token = "O:3STWU7JMCe2PVR8rT4uZLfpztvxsgZQyzGDZ3orRHw3u"

func newClient(t testing.TB, apiURL string, extra ...string) *Client {
	t.Helper()
	more := strings.Join(extra, "")
	c, err := New([]byte(fmt.Sprintf(`{"api_url":%q,"token":%q,"rate_per_second":1000%s}`, apiURL, token, more)), rest.Options{AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var authHeader = map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}

func TestBatchRequestsExactly(t *testing.T) {
	s := providertest.NewScript(t, providertest.Step{
		Method: "POST", Path: "/api/v4/dep1/batch.json", Header: authHeader,
		Body:   `{"operations":[{"method":"users/lock","user_id":"ad66ab80-4d54-11ea-b7e8-77bec61efea5","wipe":false},{"method":"users/lock","user_id":"u2","wipe":true},{"method":"users/lock","user_id":"u3","wipe":false},{"method":"users/lock","user_id":"u4","wipe":false}]}`,
		Status: 200,
		RespBody: `{"stop_on_error":false,"operations":[{"method":"users/lock","success":true},{"success":false,"error":{"type":"OBJECT_NOT_FOUND","title":"Object not found."}},
		  {"success":false,"error":{"type":"INVALID_VALUE","title":"bad","detail":"wipe"}},{"success":true}]}`,
	})
	c := newClient(t, s.URL()+"/api/v4/dep1")
	res := c.Revoke(context.Background(), []provider.User{{ID: "ad66ab80-4d54-11ea-b7e8-77bec61efea5"}, {ID: "u2", Wipe: true}, {ID: "u3"}, {ID: "u4"}})
	if res[0].Outcome != provider.Done || res[1].Outcome != provider.NotFound || res[3].Outcome != provider.Done {
		t.Fatalf("%+v", res)
	}
	if e := provider.As(res[2].Err); res[2].Outcome != provider.Failed || e.Code != message.CodeInvalid || e.Retryable() || e.Status != 422 {
		t.Fatalf("%+v %v", res[2], res[2].Err)
	}
}

// An ill-formed batch performs nothing and fails as a whole: revoke
// splits it until the bad operation is alone, sends that one with the
// single-user API, and every other leaver is locked. (Before: all four
// went to the DLQ as invalid.)
func TestIllFormedBatchIsolatesTheBadOperation(t *testing.T) {
	lock := func(ids ...string) string {
		var ops []string
		for _, id := range ids {
			ops = append(ops, `{"method":"users/lock","user_id":"`+id+`","wipe":false}`)
		}
		return `{"operations":[` + strings.Join(ops, ",") + `]}`
	}
	ok := func(n int) string {
		return `{"operations":[` + strings.TrimSuffix(strings.Repeat(`{"success":true},`, n), ",") + `]}`
	}
	bad := `{"type":"INVALID_API_REQUEST","title":"Invalid request","detail":"operation 1 is not valid"}`
	s := providertest.NewScript(t,
		providertest.Step{Method: "POST", Path: "/api/v4/d/batch.json", Body: lock("a", "b", "c", "d"), Status: 400, RespBody: bad},
		providertest.Step{Method: "POST", Path: "/api/v4/d/batch.json", Body: lock("a", "b"), Status: 200, RespBody: ok(2)},
		providertest.Step{Method: "POST", Path: "/api/v4/d/batch.json", Body: lock("c", "d"), Status: 400, RespBody: bad},
		providertest.Step{Method: "POST", Path: "/api/v4/d/batch.json", Body: lock("c"), Status: 400, RespBody: bad},
		providertest.Step{Method: "POST", Path: "/api/v4/d/users/c/lock", Body: `{"wipe":false}`, Status: 422, RespBody: `{"type":"INVALID_VALUE","title":"Invalid value specified."}`},
		providertest.Step{Method: "POST", Path: "/api/v4/d/batch.json", Body: lock("d"), Status: 200, RespBody: ok(1)},
	)
	res := newClient(t, s.URL()+"/api/v4/d").Revoke(context.Background(), []provider.User{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}})
	for i, want := range []provider.Outcome{provider.Done, provider.Done, provider.Failed, provider.Done} {
		if res[i].Outcome != want {
			t.Fatalf("user %d: %+v, want %s", i, res[i], want)
		}
	}
	if e := provider.As(res[2].Err); e.Code != message.CodeInvalid || e.Retryable() {
		t.Fatalf("the bad operation: %v", res[2].Err)
	}
}

// Against the simulator, which refuses a batch that holds a malformed
// operation: only the malformed one fails.
func TestIllFormedBatchOnTheSimulator(t *testing.T) {
	sim := simulator.NewJourneyApps(token, simulator.Options{})
	defer sim.Close()
	users := make([]provider.User, 100)
	for i := range users {
		users[i].ID = fmt.Sprintf("u%03d", i)
		sim.Add(simulator.User{ID: users[i].ID})
	}
	users[37].ID = "no such user" // an operation the batch carries, answered per operation
	res := newClient(t, sim.APIURL()).Revoke(context.Background(), users)
	for i, r := range res {
		if i == 37 {
			if r.Outcome != provider.NotFound {
				t.Fatalf("unknown user: %+v", r)
			}
			continue
		}
		if u, _ := sim.User(users[i].ID); r.Outcome != provider.Done || !u.Disabled {
			t.Fatalf("user %d: %+v", i, r)
		}
	}
}

// Restore uses the documented POST users/{id}/unlock, never a batch
// method JourneyApps does not document. (Before: batch users/unlock.)
func TestRestoreUsesTheUnlockAPI(t *testing.T) {
	s := providertest.NewScript(t,
		providertest.Step{Method: "POST", Path: "/api/v4/d/users/a/unlock", Header: map[string]string{"Authorization": "Bearer " + token}, Status: 200, RespBody: `{"id":"a","locked":false}`},
	)
	res := newClient(t, s.URL()+"/api/v4/d").Restore(context.Background(), []provider.User{{ID: "a"}})
	if res[0].Outcome != provider.Done {
		t.Fatalf("%+v", res)
	}
}

// A wrong deployment id or route answers 404 ROUTE_ERROR or
// ACCOUNT_NOT_FOUND: a config failure, never "no such user". (Before: a
// look-up 404 became an empty result, so a "*" fan-out recorded no_account
// for everybody.)
func TestRouteErrorsAreConfigNotNoSuchUser(t *testing.T) {
	sim := simulator.NewJourneyApps(token, simulator.Options{})
	defer sim.Close()
	sim.Add(simulator.User{ID: "u1", Email: "a@example.com"})
	wrong := newClient(t, sim.URL()+"/api/v4/000000000000000000000000")
	l := wrong.Resolve(context.Background(), []string{"a@example.com"})
	if l[0].Err == nil || len(l[0].Matches) != 0 || provider.As(l[0].Err).Code != message.CodeConfig {
		t.Fatalf("look-up on a wrong deployment: %+v", l[0])
	}
	r := wrong.Revoke(context.Background(), []provider.User{{ID: "u1"}})
	if r[0].Outcome != provider.Failed || provider.As(r[0].Err).Code != message.CodeConfig {
		t.Fatalf("lock on a wrong deployment: %+v", r[0])
	}
	route := newClient(t, sim.URL()+"/api/v3/"+sim.Deployment)
	if l := route.Resolve(context.Background(), []string{"a@example.com"}); l[0].Err == nil || provider.As(l[0].Err).Code != message.CodeConfig {
		t.Fatalf("look-up on a wrong route: %+v", l[0])
	}
}

// JourneyApps' query is case-sensitive: the lower-cased form is asked
// too, and only objects whose email equals the asked one count.
func TestLookupCaseAndServerFilter(t *testing.T) {
	sim := simulator.NewJourneyApps(token, simulator.Options{})
	defer sim.Close()
	sim.Add(simulator.User{ID: "alice", Email: "alice@example.com"}, simulator.User{ID: "bob", Email: "bob@example.com"})
	c := newClient(t, sim.APIURL())
	l := c.Resolve(context.Background(), []string{"Alice@Example.COM"})
	if l[0].Err != nil || strings.Join(l[0].IDs(), ",") != "alice" {
		t.Fatalf("mixed-case address: %+v", l[0])
	}
	// A server that ignores the query (a wrong email_field) returns every
	// object: revoke acts only on the matching one.
	sim.IgnoreQuery = true
	l = c.Resolve(context.Background(), []string{"bob@example.com"})
	if l[0].Err != nil || strings.Join(l[0].IDs(), ",") != "bob" {
		t.Fatalf("ignored filter: %+v", l[0])
	}
	l = c.Resolve(context.Background(), []string{"carol@example.com"})
	if l[0].Err != nil || len(l[0].Matches) != 0 {
		t.Fatalf("ignored filter, nobody: %+v", l[0])
	}
}

func TestLookupAndListRequestsExactly(t *testing.T) {
	s := providertest.NewScript(t,
		providertest.Step{Method: "GET", Path: "/api/v4/d/objects/user.json", Query: "query%5Bemail%5D=o%27brien%2Bx%40example.com", Header: map[string]string{"Authorization": "Bearer " + token}, Status: 200, RespBody: `{"objects":[{"id":"u-1","type":"user","email":"o'brien+x@example.com"},{"id":"u-2","email":"other@example.com"}],"total":2,"count":2,"more":false}`},
		providertest.Step{Method: "GET", Path: "/api/v4/d/users", Query: "limit=100&skip=0", Status: 200, RespBody: `{"total":2,"count":1,"more":true,"objects":[{"id":"a","last_connected_at":"2026-01-01T00:00:00Z","enrolled":true,"locked":false,"sessions":[{"id":"s","state":"ENROLLED"}]}]}`},
		providertest.Step{Method: "GET", Path: "/api/v4/d/users", Query: "limit=100&skip=1", Status: 200, RespBody: `{"total":2,"count":1,"more":false,"objects":[{"id":"b","last_connected_at":null,"enrolled":true,"locked":true,"sessions":[{"id":"s","state":"LOCKED"}]}]}`},
		providertest.Step{Method: "GET", Path: "/api/v4/d/users/a", Status: 200, RespBody: `{"id":"a","locked":true,"sessions":[{"id":"s1","state":"RESET"},{"id":"s2","state":"ENROLLED"}]}`},
	)
	c := newClient(t, s.URL()+"/api/v4/d/")
	ctx := context.Background()
	if l := c.Resolve(ctx, []string{"o'brien+x@example.com"}); l[0].Err != nil || strings.Join(l[0].IDs(), ",") != "u-1" {
		t.Fatalf("resolve %+v", l)
	}
	var got []string
	if err := c.List(ctx, provider.ListQuery{}, func(a provider.Account) bool {
		got = append(got, fmt.Sprintf("%s:%v:%v", a.ID, a.Disabled, a.NeverSignedIn))
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "a:false:false b:true:true" {
		t.Fatalf("list %v", got)
	}
	// Locked, but a session is still enrolled: not revoked yet.
	if st := c.Verify(ctx, []string{"a"}); st[0].Err != nil || st[0].Matches(message.Revoke) {
		t.Fatalf("a locked user with an enrolled session read back as %+v", st[0])
	}
}

// Many users are read back a page of the listing at a time when that
// costs fewer requests than reading them one by one.
func TestVerifyByListing(t *testing.T) {
	sim := simulator.NewJourneyApps(token, simulator.Options{})
	defer sim.Close()
	users := make([]provider.User, 250)
	ids := make([]string, len(users))
	for i := range users {
		ids[i] = fmt.Sprintf("u%03d", i)
		users[i].ID = ids[i]
		sim.Add(simulator.User{ID: ids[i], Enrolled: true})
	}
	c := newClient(t, sim.APIURL())
	c.Revoke(context.Background(), users)
	before := sim.Stats().Requests
	for i, st := range c.Verify(context.Background(), ids) {
		if st.Err != nil || !st.Matches(message.Revoke) {
			t.Fatalf("user %d: %+v", i, st)
		}
	}
	if n := sim.Stats().Requests - before; n > 3 {
		t.Fatalf("reading back 250 users took %d requests, want 3 pages", n)
	}
}

func TestAuthFailureIsPermanentAndRedacted(t *testing.T) {
	s := providertest.NewScript(t, providertest.Step{Method: "POST", Path: "/api/v4/d/batch.json", Header: authHeader,
		Body: `{"operations":[{"method":"users/lock","user_id":"a","wipe":false}]}`, Status: 401,
		RespBody: `{"type":"AUTHENTICATION_FAILED","title":"bad token ` + token + `"}`})
	res := newClient(t, s.URL()+"/api/v4/d").Revoke(context.Background(), []provider.User{{ID: "a"}})
	e := provider.As(res[0].Err)
	if e.Code != message.CodeUnauthorized || e.Retryable() || !provider.IsAuth(res[0].Err) {
		t.Fatalf("%v", res[0].Err)
	}
	if strings.Contains(res[0].Err.Error(), token[:5]) || strings.Contains(fmt.Sprintf("%+v", res[0]), token[:5]) {
		t.Fatalf("token leaked: %v", res[0].Err)
	}
}

// A provider that echoes the token in a per-operation error must not put
// it in the error text. (Before: per-operation text was never redacted.)
func TestPerOperationErrorIsRedacted(t *testing.T) {
	s := providertest.NewScript(t, providertest.Step{Method: "POST", Path: "/api/v4/d/batch.json", Status: 200,
		Body:     `{"operations":[{"method":"users/lock","user_id":"a","wipe":false}]}`,
		RespBody: `{"operations":[{"success":false,"error":{"type":"INVALID_VALUE","title":"bad","detail":"token ` + token + ` is not allowed here"}}]}`})
	res := newClient(t, s.URL()+"/api/v4/d").Revoke(context.Background(), []provider.User{{ID: "a"}})
	if res[0].Outcome != provider.Failed || strings.Contains(res[0].Err.Error(), token[:5]) || !strings.Contains(res[0].Err.Error(), "[REDACTED]") {
		t.Fatalf("per-operation error: %v", res[0].Err)
	}
}

func TestSecretRules(t *testing.T) {
	for _, s := range []string{
		`{"api_url":"http://x.example/api/v4/d","token":"t"}`, // http without ALLOW_INSECURE_HTTP
		`{"api_url":"https://x.example/api/v4/d"}`,
		`{"api_url":"https://u:p@x.example/api/v4/d","token":"t"}`,
		`{"api_url":"https://x.example/api/v4/d?x=1","token":"t"}`,
		`{"api_url":"https://x.example/api/v4/d","token":"t","user_model":"../x"}`,
		`{"api_url":"https://x.example","token":"t","rate_per_second":-1}`,
		`not json`,
	} {
		_, err := New([]byte(s), rest.Options{})
		if err == nil || strings.Contains(err.Error(), `"t"`) || provider.As(err).Code != message.CodeConfig {
			t.Errorf("%s: err = %v", s, err)
		}
	}
}

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Name:     Name,
		Features: providertest.Features{Restore: true, Resolve: true, Verify: true, List: true},
		ID:       func(i int) string { return fmt.Sprintf("ad66ab80-4d54-11ea-b7e8-%012d", i) },
		New: func(t *testing.T) (simulator.Sim, provider.Client) {
			sim := simulator.NewJourneyApps(token, simulator.Options{})
			t.Cleanup(sim.Close)
			return sim, newClient(t, sim.APIURL())
		},
	})
}

func TestThousandUsersOneRequest(t *testing.T) {
	sim := simulator.NewJourneyApps(token, simulator.Options{})
	defer sim.Close()
	users := make([]provider.User, 2500)
	for i := range users {
		users[i].ID = fmt.Sprintf("u%d", i)
		sim.Add(simulator.User{ID: users[i].ID})
	}
	newClient(t, sim.APIURL()).Revoke(context.Background(), users[:1000])
	if n := sim.Stats().Requests; n != 1 {
		t.Fatalf("1000 users took %d requests, want 1", n)
	}
	newClient(t, sim.APIURL()).Revoke(context.Background(), users)
	if n := sim.Stats().ByRoute["batch"]; n != 4 {
		t.Fatalf("2500 users took %d batch requests in all, want 1+3", n)
	}
}

func FuzzParseBatchResponse(f *testing.F) {
	f.Add([]byte(`{"operations":[{"success":true},{"success":false,"error":{"type":"OBJECT_NOT_FOUND"}}]}`), 2)
	f.Add([]byte(`{"results":[{}]}`), 3)
	f.Add([]byte(`[]`), 1)
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		n = n % 1001
		if n < 0 {
			n = -n
		}
		res, err := ParseBatchResponse(b, n, func(s string) string { return s })
		if err != nil {
			if !err.Retryable() {
				t.Fatal("an unparsable batch response must be retryable")
			}
			return
		}
		if len(res) != n {
			t.Fatalf("%d results for %d operations", len(res), n)
		}
		for _, r := range res {
			if r.Outcome == provider.Failed && r.Err == nil {
				t.Fatal("failed without an error")
			}
			if r.Outcome == provider.Already {
				t.Fatal("a batch answer never says already")
			}
		}
	})
}

// FuzzParseObjects: a look-up answer never panics the parser, and the
// objects it yields are the answer's.
func FuzzParseObjects(f *testing.F) {
	f.Add([]byte(`{"objects":[{"id":"a","email":"a@example.com"}],"more":false}`))
	f.Add([]byte(`[{"id":1,"email":["x"]}]`))
	f.Add([]byte(`{"objects":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		objs, _, err := ParseObjects(b, "email")
		if err != nil && len(objs) > 0 {
			t.Fatal("objects with an error")
		}
		for _, o := range objs {
			if !o.HasEmail && o.Email != "" {
				t.Fatalf("an email without the field: %+v", o)
			}
		}
	})
}

func FuzzParsePage(f *testing.F) {
	f.Add([]byte(`{"total":1,"more":false,"objects":[{"id":"a","locked":true,"sessions":[{"state":"LOCKED"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parsePage(b)
		if err != nil {
			return
		}
		for _, u := range p.Objects {
			if st := u.state(); st.Disabled && !u.Locked {
				t.Fatal("an unlocked user read as disabled")
			}
		}
	})
}

func BenchmarkJourneyAppsBatch(b *testing.B) {
	sim := simulator.NewJourneyApps(token, simulator.Options{})
	defer sim.Close()
	users := make([]provider.User, 1000)
	for i := range users {
		users[i].ID = fmt.Sprintf("ad66ab80-4d54-11ea-b7e8-%012d", i)
		sim.Add(simulator.User{ID: users[i].ID})
	}
	c := newClient(b, sim.APIURL())
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range c.Revoke(context.Background(), users) {
			if r.Outcome != provider.Done {
				b.Fatal(r)
			}
		}
	}
	b.ReportMetric(float64(sim.Stats().Requests)/float64(b.N), "requests/op")
}

// Proofs share what the listing taught them: a later Verify reads the page
// where its users were last seen, and a scan resumes where the last one
// stopped. (Before: every Verify scanned from the first page.)
func TestProofPagesRemembered(t *testing.T) {
	sim := simulator.NewJourneyApps(token, simulator.Options{})
	defer sim.Close()
	ids := make([]string, 1000)
	users := make([]provider.User, len(ids))
	for i := range ids {
		ids[i] = fmt.Sprintf("u%04d", i)
		users[i].ID = ids[i]
		sim.Add(simulator.User{ID: ids[i], Enrolled: true})
	}
	c := newClient(t, sim.APIURL())
	c.Revoke(context.Background(), users)
	tests := []struct {
		name     string
		ids      []string
		requests int
	}{
		{"the first 70: one page", ids[:70], 1},
		{"the next 70: the page seen, then the scan's next", ids[70:140], 2},
		{"a page further on: the scan resumes", ids[200:300], 1},
		{"a page seen before, out of order", ids[100:140], 1},
		{"every user: the rest of the listing, once", ids, 10},
		{"70 users in the middle, after a full pass: their page", ids[500:570], 1},
	}
	for _, tt := range tests {
		before := sim.Stats().Requests
		for i, st := range c.Verify(context.Background(), tt.ids) {
			if st.Err != nil || !st.Matches(message.Revoke) {
				t.Fatalf("%s: user %d: %+v", tt.name, i, st)
			}
		}
		if n := sim.Stats().Requests - before; n != tt.requests {
			t.Errorf("%s: %d requests, want %d", tt.name, n, tt.requests)
		}
	}
}

// JourneyApps' listing takes no filter: the inactive cut-off is applied to
// last_connected_at (and the enrolment date of a user who never
// connected) by the client.
func TestListInactiveSince(t *testing.T) {
	s := providertest.NewScript(t,
		providertest.Step{Method: "GET", Path: "/api/v4/d/users", Query: "limit=100&skip=0", Status: 200, RespBody: `{"total":4,"count":4,"more":false,"objects":[
			{"id":"old","last_connected_at":"2025-01-01T00:00:00Z","locked":false},
			{"id":"recent","last_connected_at":"2026-11-01T00:00:00Z","locked":false},
			{"id":"never-old","last_connected_at":null,"enrolled":"2025-02-01T00:00:00Z","locked":false},
			{"id":"never-undated","last_connected_at":null,"enrolled":true,"locked":false}]}`},
	)
	var got []string
	q := provider.ListQuery{InactiveSince: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	if err := newClient(t, s.URL()+"/api/v4/d/").List(context.Background(), q, func(a provider.Account) bool {
		got = append(got, a.ID)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "old,never-old" {
		t.Fatalf("listed %v, want old,never-old", got)
	}
}

// Batches of consecutive users dealt in turn to two processes (each its
// own client, so its own memory of the listing), as a bulk offboarding's
// queue deals them: each batch is proven by the pages that hold it, never
// by reading its last users one by one. (Before: a scan stopped once the
// pages left outnumbered the users unseen, and the 10 or so users of the
// batch past the page it read were each read with GET users/{id}.)
func TestProofScanFindsTheBatchsPages(t *testing.T) {
	sim := simulator.NewJourneyApps(token, simulator.Options{})
	defer sim.Close()
	ids := make([]string, 2000)
	users := make([]provider.User, len(ids))
	for i := range ids {
		ids[i] = fmt.Sprintf("u%04d", i)
		users[i].ID = ids[i]
		sim.Add(simulator.User{ID: ids[i], Enrolled: true})
	}
	procs := []*Client{newClient(t, sim.APIURL()), newClient(t, sim.APIURL())}
	procs[0].Revoke(context.Background(), users)
	const batch = 70
	pages := 0
	for k := 0; k*batch < len(ids); k++ {
		c := procs[k%2]
		lot := ids[k*batch : min((k+1)*batch, len(ids))]
		before := sim.Stats()
		for i, st := range c.Verify(context.Background(), lot) {
			if st.Err != nil || !st.Matches(message.Revoke) {
				t.Fatalf("batch %d: user %d: %+v", k, i, st)
			}
		}
		after := sim.Stats()
		if n := after.ByRoute["read"] - before.ByRoute["read"]; n > 0 {
			t.Errorf("batch %d (%s…%s): %d users read one by one, want 0", k, lot[0], lot[len(lot)-1], n)
		}
		n := after.ByRoute["list"] - before.ByRoute["list"]
		if n > 2 {
			t.Errorf("batch %d (%s…%s): %d pages, want at most the 2 that hold it", k, lot[0], lot[len(lot)-1], n)
		}
		pages += n
	}
	if want := len(ids)/batch + 1 + len(ids)/PageSize; pages > want {
		t.Errorf("%d pages in all, want at most %d", pages, want)
	}
}

// A scan reads no more pages than the users it still looks for: users
// scattered over a listing it has never seen cost at most twice what
// reading them one by one would, and every one is proven.
// A warm client that knows each wanted user's page, one user a page,
// reads each alone: a scan from the frontier cannot find them cheaper.
// (Before: 12 users known alone on their pages were scanned for, 12 pages
// that showed none of them, then read alone anyway: 24 requests.)
func TestProofKnownAloneReadAlone(t *testing.T) {
	sim := simulator.NewJourneyApps(token, simulator.Options{})
	defer sim.Close()
	for i := 0; i < 5000; i++ {
		sim.Add(simulator.User{ID: fmt.Sprintf("u%05d", i), Enrolled: true})
	}
	c := newClient(t, sim.APIURL())
	var first []string // one user on each of the first 40 pages: the scan learns pages from 0 on
	for p := 0; p < 40; p++ {
		first = append(first, fmt.Sprintf("u%05d", p*PageSize))
	}
	c.Verify(context.Background(), first)
	var ids []string // 12 other users, alone on pages the first proof read
	for p := 0; p < 12; p++ {
		ids = append(ids, fmt.Sprintf("u%05d", p*PageSize+50))
	}
	before := sim.Stats().Requests
	for i, st := range c.Verify(context.Background(), ids) {
		if st.Err != nil || !st.Known || !st.Exists {
			t.Fatalf("user %s: %+v", ids[i], st)
		}
	}
	if n := sim.Stats().Requests - before; n != len(ids) {
		t.Errorf("%d requests for %d users whose pages are known, one each, want %d", n, len(ids), len(ids))
	}
}

func TestProofScanIsBounded(t *testing.T) {
	tests := []struct {
		name  string
		users int   // in the listing
		want  []int // positions of the users to prove
	}{
		{"20 users, one every 5 pages", 10000, func() []int {
			var p []int
			for i := 0; i < 20; i++ {
				p = append(p, 7+i*500)
			}
			return p
		}()},
		{"11 users at the far end of the listing", 5000, []int{4989, 4990, 4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999}},
		{"15 users on the first page", 3000, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := simulator.NewJourneyApps(token, simulator.Options{})
			defer sim.Close()
			var ids []string
			for i := 0; i < tt.users; i++ {
				sim.Add(simulator.User{ID: fmt.Sprintf("u%05d", i), Enrolled: true})
			}
			for _, p := range tt.want {
				ids = append(ids, fmt.Sprintf("u%05d", p))
			}
			c := newClient(t, sim.APIURL())
			for i, st := range c.Verify(context.Background(), ids) {
				if st.Err != nil || !st.Known || !st.Exists {
					t.Fatalf("user %s: %+v", ids[i], st)
				}
			}
			if n := sim.Stats().Requests; n > 2*len(ids) {
				t.Errorf("%d requests for %d users, want at most %d", n, len(ids), 2*len(ids))
			}
		})
	}
}

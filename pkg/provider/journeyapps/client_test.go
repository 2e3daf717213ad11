package journeyapps

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/providertest"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/simulator"
)

const token = "O:3STWU7JMCe2PVR8rT4uZLfpztvxsgZQyzGDZ3orRHw3u"

func newClient(t testing.TB, apiURL string) *Client {
	t.Helper()
	c, err := New([]byte(fmt.Sprintf(`{"api_url":%q,"token":%q,"rate_per_second":1000}`, apiURL, token)), rest.Options{AllowInsecureHTTP: true})
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
		RespBody: `{"operations":[{"success":true},{"success":false,"error":{"type":"OBJECT_NOT_FOUND","title":"not found"}},
		  {"success":false,"error":{"type":"INVALID_VALUE","title":"bad","detail":"wipe"}},{"success":true}]}`,
	})
	c := newClient(t, s.URL()+"/api/v4/dep1")
	res := c.Apply(context.Background(), provider.Revoke, []provider.User{{ID: "ad66ab80-4d54-11ea-b7e8-77bec61efea5"}, {ID: "u2", Wipe: true}, {ID: "u3"}, {ID: "u4"}})
	if res[0].Outcome != provider.Done || res[1].Outcome != provider.NotFound || res[3].Outcome != provider.Done {
		t.Fatalf("%+v", res)
	}
	if e := provider.As(res[2].Err); res[2].Outcome != provider.Failed || e.Code != provider.CodeInvalid || e.Retryable() || e.Status != 422 {
		t.Fatalf("%+v %v", res[2], res[2].Err)
	}
}

func TestUnlockAndRetryOfFailedOperation(t *testing.T) {
	s := providertest.NewScript(t,
		providertest.Step{Method: "POST", Path: "/api/v4/d/batch.json", Header: authHeader,
			Body:     `{"operations":[{"method":"users/unlock","user_id":"a"},{"method":"users/unlock","user_id":"b"}]}`,
			Status:   200,
			RespBody: `{"operations":[{"success":true},{"success":false,"error":{"type":"TOO_MANY_REQUESTS","title":"slow down"}}]}`},
		providertest.Step{Method: "POST", Path: "/api/v4/d/batch.json", Header: authHeader,
			Body: `{"operations":[{"method":"users/unlock","user_id":"b"}]}`, Status: 200, RespBody: `{"operations":[{"success":true}]}`},
	)
	res := newClient(t, s.URL()+"/api/v4/d").Apply(context.Background(), provider.Restore, []provider.User{{ID: "a"}, {ID: "b"}})
	if res[0].Outcome != provider.Done || res[1].Outcome != provider.Done {
		t.Fatalf("%+v", res)
	}
}

func TestSingleLockLookupAndList(t *testing.T) {
	s := providertest.NewScript(t,
		providertest.Step{Method: "POST", Path: "/api/v4/d/users/ad66ab80/lock", Header: authHeader, Body: `{"wipe":false}`, Status: 200, RespBody: `{}`},
		providertest.Step{Method: "POST", Path: "/api/v4/d/users/a:b/unlock", Header: map[string]string{"Authorization": "Bearer " + token}, Status: 404, RespBody: `{"type":"OBJECT_NOT_FOUND","title":"nope"}`},
		providertest.Step{Method: "GET", Path: "/api/v4/d/objects/user.json", Query: "query%5Bemail%5D=o%27brien%2Bx%40example.com", Header: map[string]string{"Authorization": "Bearer " + token}, Status: 200, RespBody: `{"objects":[{"id":"u-1","email":"o'brien+x@example.com"}],"total":1,"more":false}`},
		providertest.Step{Method: "GET", Path: "/api/v4/d/users", Query: "limit=100&skip=0", Status: 200, RespBody: `{"total":2,"count":1,"more":true,"objects":[{"id":"a","last_connected_at":"2026-01-01T00:00:00Z","enrolled":true,"locked":false,"sessions":[]}]}`},
		providertest.Step{Method: "GET", Path: "/api/v4/d/users", Query: "limit=100&skip=1", Status: 200, RespBody: `{"total":2,"count":1,"more":false,"objects":[{"id":"b","last_connected_at":null,"enrolled":true,"locked":true,"sessions":[]}]}`},
	)
	c := newClient(t, s.URL()+"/api/v4/d/")
	ctx := context.Background()
	if r := c.Lock(ctx, "ad66ab80", false); r.Outcome != provider.Done {
		t.Fatalf("lock %+v", r)
	}
	if r := c.Unlock(ctx, "a:b"); r.Outcome != provider.NotFound {
		t.Fatalf("unlock %+v", r)
	}
	if l := c.Resolve(ctx, []string{"o'brien+x@example.com"}); l[0].Err != nil || strings.Join(l[0].IDs, ",") != "u-1" {
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
}

func TestAuthFailureIsPermanentAndRedacted(t *testing.T) {
	s := providertest.NewScript(t, providertest.Step{Method: "POST", Path: "/api/v4/d/batch.json", Header: authHeader,
		Body: `{"operations":[{"method":"users/lock","user_id":"a","wipe":false}]}`, Status: 401,
		RespBody: `{"type":"AUTHENTICATION_FAILED","title":"bad token ` + token + `"}`})
	res := newClient(t, s.URL()+"/api/v4/d").Apply(context.Background(), provider.Revoke, []provider.User{{ID: "a"}})
	e := provider.As(res[0].Err)
	if e.Code != provider.CodeUnauthorized || e.Retryable() || !provider.IsAuth(res[0].Err) {
		t.Fatalf("%v", res[0].Err)
	}
	if strings.Contains(res[0].Err.Error(), token) || strings.Contains(fmt.Sprintf("%+v", res[0]), token) {
		t.Fatalf("token leaked: %v", res[0].Err)
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
		if _, err := New([]byte(s), rest.Options{}); err == nil || strings.Contains(err.Error(), `"t"`) {
			t.Errorf("%s: err = %v", s, err)
		}
	}
}

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Name: Name, CanRestore: true,
		ID: func(i int) string { return fmt.Sprintf("ad66ab80-4d54-11ea-b7e8-%012d", i) },
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
	newClient(t, sim.APIURL()).Apply(context.Background(), provider.Revoke, users[:1000])
	if n := sim.Stats().Requests; n != 1 {
		t.Fatalf("1000 users took %d requests, want 1", n)
	}
	newClient(t, sim.APIURL()).Apply(context.Background(), provider.Revoke, users)
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
		res, err := ParseBatchResponse(b, n)
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
		for _, r := range c.Apply(context.Background(), provider.Revoke, users) {
			if r.Outcome != provider.Done {
				b.Fatal(r)
			}
		}
	}
	b.ReportMetric(float64(sim.Stats().Requests)/float64(b.N), "requests/op")
}

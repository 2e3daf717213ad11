package mendix

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/providertest"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/simulator"
)

const pat = "EKNJ7pQ2vk-personal-access-token"

func newClient(t testing.TB, deact, ident string, rate float64) *Client {
	t.Helper()
	c, err := New([]byte(fmt.Sprintf(`{"pat":%q,"deactivation_url":%q,"identifiers_url":%q,"rate_per_second":%g}`, pat, deact, ident, rate)), rest.Options{AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRequestsExactly(t *testing.T) {
	h := map[string]string{"Authorization": "MxToken " + pat, "Content-Type": "application/json"}
	d := providertest.NewScript(t,
		providertest.Step{Method: "PATCH", Path: "/v1/platform-users/6f1e7f5e-1111-4a6b-9c1d-000000000001", Header: h, Body: `{"active":false}`, Status: 204},
		providertest.Step{Method: "PATCH", Path: "/v1/platform-users/x", Header: h, Body: `{"active":false}`, Status: 403, RespBody: `{"error":{"code":"FORBIDDEN","message":"missing scope"}}`},
	)
	i := providertest.NewScript(t,
		providertest.Step{Method: "POST", Path: "/v1/uuids", Header: h, Body: `{"emailAddresses":[{"emailAddress":"alice@example.com"},{"emailAddress":"bob@example.com"}]}`,
			Status: 200, RespBody: `{"identifiers":[{"emailAddress":"Alice@Example.com","uuid":"6f1e7f5e-1111-4a6b-9c1d-000000000001"}]}`},
	)
	c := newClient(t, d.URL(), i.URL(), 100)
	ctx := context.Background()
	l := c.Resolve(ctx, []string{"alice@example.com", "bob@example.com"})
	if strings.Join(l[0].IDs, ",") != "6f1e7f5e-1111-4a6b-9c1d-000000000001" || len(l[1].IDs) != 0 || l[1].Err != nil {
		t.Fatalf("%+v", l)
	}
	if r := c.Apply(ctx, provider.Revoke, []provider.User{{ID: l[0].IDs[0]}}); r[0].Outcome != provider.Done || r[0].Status != 204 {
		t.Fatalf("%+v", r[0])
	}
	r := c.Apply(ctx, provider.Revoke, []provider.User{{ID: "x"}})
	if e := provider.As(r[0].Err); e.Code != provider.CodeForbidden || !provider.IsAuth(r[0].Err) || e.Retryable() {
		t.Fatalf("%+v", r[0])
	}
	if strings.Contains(r[0].Err.Error(), pat) {
		t.Fatal("PAT leaked")
	}
}

func TestRestoreUnsupported(t *testing.T) {
	r := newClient(t, "https://a.example", "https://b.example", 1).Apply(context.Background(), provider.Restore, []provider.User{{ID: "x"}})
	if e := provider.As(r[0].Err); e.Code != provider.CodeUnsupported || e.Retryable() {
		t.Fatalf("%+v", r)
	}
}

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Name: Name, CanRestore: false,
		ID: func(i int) string { return fmt.Sprintf("6f1e7f5e-1111-4a6b-9c1d-%012d", i) },
		New: func(t *testing.T) (simulator.Sim, provider.Client) {
			sim := simulator.NewMendix(pat, simulator.Options{})
			t.Cleanup(sim.Close)
			return sim, newClient(t, sim.URL(), sim.URL(), 1000)
		},
	})
}

// BenchmarkMendixConcurrent: 200 users, 20 ms latency, a 50/s limit at the
// provider and the same budget in the client.
func BenchmarkMendixConcurrent(b *testing.B) {
	b.ReportAllocs()
	var requests, limited int
	for b.Loop() {
		b.StopTimer()
		sim := simulator.NewMendix(pat, simulator.Options{Latency: 20 * time.Millisecond, RatePerSecond: 50, Burst: 5})
		users := make([]provider.User, 200)
		for i := range users {
			users[i].ID = fmt.Sprintf("6f1e7f5e-1111-4a6b-9c1d-%012d", i)
			sim.Add(simulator.User{ID: users[i].ID})
		}
		c, err := New([]byte(fmt.Sprintf(`{"pat":%q,"deactivation_url":%q,"rate_per_second":50,"burst":5}`, pat, sim.URL())), rest.Options{AllowInsecureHTTP: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, r := range c.Apply(context.Background(), provider.Revoke, users) {
			if r.Outcome != provider.Done {
				b.Fatal(r)
			}
		}
		b.StopTimer()
		st := sim.Stats()
		requests += st.Requests
		limited += st.RateLimited
		sim.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
	b.ReportMetric(float64(limited)/float64(b.N), "429s/op")
}

// TestLookup404IsNoUser: the identifiers API answering 404 means "no such
// user" (empty IDs), not an error — the Resolver contract.
func TestLookup404IsNoUser(t *testing.T) {
	s := providertest.NewScript(t, providertest.Step{Method: "POST", Path: "/v1/uuids",
		Body: `{"emailAddresses":[{"emailAddress":"x@example.com"}]}`, Status: 404, RespBody: `{"error":{"code":"NOT_FOUND","message":"none"}}`})
	l := newClient(t, s.URL(), s.URL(), 100).Resolve(context.Background(), []string{"x@example.com"})
	if l[0].Err != nil || len(l[0].IDs) != 0 {
		t.Fatalf("%+v", l[0])
	}
}

package mendix

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

const pat = "EKNJ7pQ2vk-personal-access-token"

func newClient(t testing.TB, deact, ident string, rate float64) *Client {
	t.Helper()
	c, err := New([]byte(fmt.Sprintf(`{"pat":%q,"deactivation_url":%q,"identifiers_url":%q,"rate_per_second":%g}`, pat, deact, ident, rate)), rest.Options{AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var mx = map[string]string{"Authorization": "MxToken " + pat, "Content-Type": "application/json"}

func TestRequestsExactly(t *testing.T) {
	d := providertest.NewScript(t,
		providertest.Step{Method: "PATCH", Path: "/v1/platform-users/6f1e7f5e-1111-4a6b-9c1d-000000000001", Header: mx, Body: `{"active":false}`, Status: 204},
		providertest.Step{Method: "PATCH", Path: "/v1/platform-users/x", Header: mx, Body: `{"active":false}`, Status: 403, RespBody: `{"error":{"code":"FORBIDDEN","message":"missing scope"}}`},
	)
	i := providertest.NewScript(t,
		providertest.Step{Method: "POST", Path: "/v1/uuids", Header: mx, Body: `{"emailAddresses":[{"emailAddress":"alice@example.com"},{"emailAddress":"bob@example.com"}]}`,
			Status: 200, RespBody: `{"identifiers":[{"emailAddress":"Alice@Example.com","uuid":"6f1e7f5e-1111-4a6b-9c1d-000000000001"}],"error":{"message":"not found","emailAddresses":["bob@example.com"]}}`},
	)
	c := newClient(t, d.URL(), i.URL(), 100)
	ctx := context.Background()
	l := c.Resolve(ctx, []string{"alice@example.com", "bob@example.com"})
	if strings.Join(l[0].IDs(), ",") != "6f1e7f5e-1111-4a6b-9c1d-000000000001" || len(l[1].Matches) != 0 || l[1].Err != nil {
		t.Fatalf("%+v", l)
	}
	if r := c.Revoke(ctx, []provider.User{{ID: l[0].IDs()[0]}}); r[0].Outcome != provider.Done || r[0].Status != 204 {
		t.Fatalf("%+v", r[0])
	}
	r := c.Revoke(ctx, []provider.User{{ID: "x"}})
	if e := provider.As(r[0].Err); e.Code != message.CodeForbidden || !provider.IsAuth(r[0].Err) || e.Retryable() {
		t.Fatalf("%+v", r[0])
	}
	if strings.Contains(r[0].Err.Error(), pat[:5]) {
		t.Fatal("PAT leaked")
	}
}

// "No such user" is only an email the answer lists under
// error.emailAddresses; an email the answer does not mention at all is a
// retryable failure, and a 404 of the identifiers API is a config error.
// (Before: anything not returned was "no such user", and a 404 too.)
func TestNotFoundOnlyWhenListed(t *testing.T) {
	i := providertest.NewScript(t,
		providertest.Step{Method: "POST", Path: "/v1/uuids", Body: `{"emailAddresses":[{"emailAddress":"gone@example.com"},{"emailAddress":"silent@example.com"}]}`,
			Status: 200, RespBody: `{"identifiers":[],"error":{"message":"x","emailAddresses":[{"emailAddress":"GONE@example.com"}]}}`},
		providertest.Step{Method: "POST", Path: "/v1/uuids", Body: `{"emailAddresses":[{"emailAddress":"x@example.com"}]}`, Status: 404, RespBody: `<html>`},
	)
	c := newClient(t, i.URL(), i.URL(), 100)
	l := c.Resolve(context.Background(), []string{"gone@example.com", "silent@example.com"})
	if l[0].Err != nil || len(l[0].Matches) != 0 {
		t.Fatalf("listed as not found: %+v", l[0])
	}
	if l[1].Err == nil || !provider.As(l[1].Err).Retryable() {
		t.Fatalf("not mentioned: %+v", l[1])
	}
	l = c.Resolve(context.Background(), []string{"x@example.com"})
	if l[0].Err == nil || provider.As(l[0].Err).Code != message.CodeConfig {
		t.Fatalf("404: %+v", l[0])
	}
}

// An email over 200 characters is refused alone, before the call; the
// rest of its chunk is looked up. (Before: it failed its chunk of 50.)
func TestLongEmailAlone(t *testing.T) {
	long := strings.Repeat("a", 190) + "@example.com"
	sim := simulator.NewMendix(pat, simulator.Options{})
	defer sim.Close()
	sim.Add(simulator.User{ID: "u1", Email: "ok@example.com"})
	l := newClient(t, sim.URL(), sim.URL(), 1000).Resolve(context.Background(), []string{long, "ok@example.com", "nobody@example.com"})
	if l[0].Err == nil || provider.As(l[0].Err).Code != message.CodeInvalid || provider.As(l[0].Err).Retryable() {
		t.Fatalf("long email: %+v", l[0])
	}
	if l[1].Err != nil || strings.Join(l[1].IDs(), ",") != "u1" || l[2].Err != nil || len(l[2].Matches) != 0 {
		t.Fatalf("the rest of the chunk: %+v", l)
	}
}

// A 404 from the User Deactivation API (which documents none) is a config
// failure, and a UUID the API refuses is a failure: neither is no_account.
// (Before: any 404 was NotFound, and the simulator invented a 404
// USER_NOT_FOUND for an unknown UUID.)
func TestDeactivationNeverNoAccount(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		code   message.Code
	}{
		{"bare 404 (wrong deactivation_url)", 404, ``, message.CodeConfig},
		{"gateway 404", 404, `{"message":"no Route matched with those values"}`, message.CodeConfig},
		{"404 shaped like a Mendix error", 404, `{"error":{"message":"Not Found","detail":"user not found","code":404}}`, message.CodeConfig},
		{"documented 400", 400, `{"error":{"message":"The request data did not validate","detail":"Request payload is invalid.","code":400,"instance":"urn:uuid:d18fb790-05e7-4cd1-8f36-31326a894778"}}`, message.CodeInvalid},
		{"documented 403", 403, `{"error":{"message":"Forbidden","detail":"Requestor is not Mendix Admin for the company","code":403}}`, message.CodeForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := providertest.NewScript(t, providertest.Step{Method: "PATCH", Path: "/v1/platform-users/6f1e7f5e-1111-4a6b-9c1d-000000000001",
				Header: mx, Body: `{"active":false}`, Status: tt.status, RespBody: tt.body})
			r := newClient(t, d.URL(), d.URL(), 100).Revoke(context.Background(), []provider.User{{ID: "6f1e7f5e-1111-4a6b-9c1d-000000000001"}})[0]
			if e := provider.As(r.Err); r.Outcome != provider.Failed || e.Code != tt.code || e.Retryable() {
				t.Fatalf("got %+v (%v), want failed/%s", r, r.Err, tt.code)
			}
			if tt.status == 403 && !strings.Contains(r.Err.Error(), "Forbidden: Requestor is not Mendix Admin") {
				t.Fatalf("the 403's detail is lost: %v", r.Err)
			}
		})
	}
	sim := simulator.NewMendix(pat, simulator.Options{})
	defer sim.Close()
	r := newClient(t, sim.URL(), sim.URL(), 1000).Revoke(context.Background(), []provider.User{{ID: "6f1e7f5e-1111-4a6b-9c1d-000000000999"}})[0]
	if r.Outcome != provider.Failed || r.Status != 400 {
		t.Fatalf("simulator, unknown UUID: %+v", r)
	}
	r = newClient(t, sim.URL()+"/wrong", sim.URL(), 1000).Revoke(context.Background(), []provider.User{{ID: "6f1e7f5e-1111-4a6b-9c1d-000000000001"}})[0]
	if provider.As(r.Err).Code != message.CodeConfig {
		t.Fatalf("simulator, wrong deactivation_url: %+v", r)
	}
}

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Name:     Name,
		Features: providertest.Features{Resolve: true, NoNotFound: true},
		ID:       func(i int) string { return fmt.Sprintf("6f1e7f5e-1111-4a6b-9c1d-%012d", i) },
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
		for _, r := range c.Revoke(context.Background(), users) {
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

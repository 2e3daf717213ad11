package scim

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

const token = "scim-bearer-token-123456"

func newClient(t testing.TB, base string) *Client {
	t.Helper()
	c, err := New([]byte(fmt.Sprintf(`{"base_url":%q,"token":%q,"rate_per_second":1000}`, base, token)), rest.Options{AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRequestsExactly(t *testing.T) {
	h := map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/scim+json"}
	s := providertest.NewScript(t,
		providertest.Step{Method: "PATCH", Path: "/scim/v2/Users/2819c223-7f76", Header: h,
			Body:   `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`,
			Status: 200, RespBody: `{"id":"2819c223-7f76","active":false}`},
		providertest.Step{Method: "PATCH", Path: "/scim/v2/Users/u2", Header: h,
			Body:   `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}`,
			Status: 204},
		providertest.Step{Method: "PATCH", Path: "/scim/v2/Users/u3", Header: h,
			Body:   `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`,
			Status: 409, RespBody: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"mutability","detail":"read-only"}`},
		providertest.Step{Method: "GET", Path: "/scim/v2/Users", Query: "filter=userName+eq+%22bob%40example.com%22", Header: map[string]string{"Authorization": "Bearer " + token}, Status: 200,
			RespBody: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[{"id":"u9","userName":"bob@example.com"}]}`},
	)
	c := newClient(t, s.URL()+"/scim/v2")
	ctx := context.Background()
	if r := c.Apply(ctx, provider.Revoke, []provider.User{{ID: "2819c223-7f76"}}); r[0].Outcome != provider.Done {
		t.Fatalf("%+v", r)
	}
	if r := c.Apply(ctx, provider.Restore, []provider.User{{ID: "u2"}}); r[0].Outcome != provider.Done {
		t.Fatalf("%+v", r)
	}
	r := c.Apply(ctx, provider.Revoke, []provider.User{{ID: "u3"}})
	if e := provider.As(r[0].Err); e.Code != provider.CodeConflict || e.Retryable() || !strings.Contains(e.Message, "mutability") {
		t.Fatalf("%+v", r)
	}
	if l := c.Resolve(ctx, []string{"bob@example.com"}); strings.Join(l[0].IDs, ",") != "u9" {
		t.Fatalf("%+v", l)
	}
}

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Name: Name, CanRestore: true,
		ID: func(i int) string { return fmt.Sprintf("2819c223-7f76-453a-919d-%012d", i) },
		New: func(t *testing.T) (simulator.Sim, provider.Client) {
			sim := simulator.NewSCIM(token, simulator.Options{})
			t.Cleanup(sim.Close)
			return sim, newClient(t, sim.BaseURL())
		},
	})
}

func FuzzCheck(f *testing.F) {
	f.Add(404, []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"x"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if err := Check(status, body); (err == nil) != (status >= 200 && status < 300) {
			t.Fatalf("status %d: %v", status, err)
		}
	})
}

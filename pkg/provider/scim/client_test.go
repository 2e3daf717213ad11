package scim

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/internal/providertest"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

const token = "scim-bearer-token-123456"

func newClient(t testing.TB, base string, extra ...string) *Client {
	t.Helper()
	c, err := New([]byte(fmt.Sprintf(`{"base_url":%q,"token":%q,"rate_per_second":1000%s}`, base, token, strings.Join(extra, ""))), rest.Options{AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	patchHeader = map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/scim+json"}
	pathOff     = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`
	noPathOff   = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
)

func TestRequestsExactly(t *testing.T) {
	s := providertest.NewScript(t,
		providertest.Step{Method: "PATCH", Path: "/scim/v2/Users/2819c223-7f76", Header: patchHeader, Body: pathOff,
			Status: 200, RespBody: `{"id":"2819c223-7f76","active":false}`},
		providertest.Step{Method: "PATCH", Path: "/scim/v2/Users/u2", Header: patchHeader,
			Body:   `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}`,
			Status: 204},
		providertest.Step{Method: "PATCH", Path: "/scim/v2/Users/u3", Header: patchHeader, Body: pathOff,
			Status: 409, RespBody: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"mutability","detail":"read-only"}`},
		providertest.Step{Method: "GET", Path: "/scim/v2/Users", Query: "filter=userName%20eq%20%22bob%40example.com%22&startIndex=1&count=100", Header: map[string]string{"Authorization": "Bearer " + token}, Status: 200,
			RespBody: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"Resources":[{"id":"u9","userName":"bob@example.com","active":true},{"id":"u8","userName":"someone-else"}]}`},
		providertest.Step{Method: "GET", Path: "/scim/v2/Users/u9", Status: 200, RespBody: `{"id":"u9","userName":"bob@example.com","active":false}`},
	)
	c := newClient(t, s.URL()+"/scim/v2")
	ctx := context.Background()
	if r := c.Revoke(ctx, []provider.User{{ID: "2819c223-7f76"}}); r[0].Outcome != provider.Done {
		t.Fatalf("%+v", r)
	}
	if r := c.Restore(ctx, []provider.User{{ID: "u2"}}); r[0].Outcome != provider.Done {
		t.Fatalf("%+v", r)
	}
	r := c.Revoke(ctx, []provider.User{{ID: "u3"}})
	if e := provider.As(r[0].Err); e.Code != message.CodeConflict || e.Retryable() || !strings.Contains(e.Message, "mutability") {
		t.Fatalf("%+v", r)
	}
	// The bystander the server returned (userName other than the address,
	// no matching email) is not acted on.
	if l := c.Resolve(ctx, []string{"bob@example.com"}); strings.Join(l[0].IDs(), ",") != "u9" || !l[0].Matches[0].State.Known {
		t.Fatalf("%+v", l)
	}
	if st := c.Verify(ctx, []string{"u9"}); st[0].Err != nil || !st[0].Matches(message.Revoke) {
		t.Fatalf("%+v", st)
	}
}

// A service that matches addresses only on emails (Slack turns userName
// into a handle) is reached with user_filter; the default filter finds
// nobody there, and a resource whose userName and emails do not equal the
// address is never acted on. (Before: userName only, and a resource with
// an empty userName matched anyone.)
func TestUserFilterAndMatching(t *testing.T) {
	sim := simulator.NewSCIM(token, simulator.Options{})
	defer sim.Close()
	sim.MatchEmailsOnly = true
	sim.Add(simulator.User{ID: "U1", Email: "alice@example.com", Handle: "alice"})
	def := newClient(t, sim.BaseURL())
	if l := def.Resolve(context.Background(), []string{"alice@example.com"}); l[0].Err != nil || len(l[0].Matches) != 0 {
		t.Fatalf("the default filter on a handle service: %+v", l[0])
	}
	emails := newClient(t, sim.BaseURL(), `,"user_filter":"emails.value eq \"{email}\""`)
	if l := emails.Resolve(context.Background(), []string{"Alice@Example.com"}); l[0].Err != nil || strings.Join(l[0].IDs(), ",") != "U1" {
		t.Fatalf("emails.value filter: %+v", l[0])
	}
	for _, bad := range []string{`,"user_filter":"userName eq \"x\""`, `,"user_filter":"a\nb {email}"`} {
		if _, err := New([]byte(fmt.Sprintf(`{"base_url":"https://x.example","token":"t"%s}`, bad)), rest.Options{}); err == nil || provider.As(err).Code != message.CodeConfig {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// An address with & is sent as & (URL-encoded %26), not \u0026, which a
// server comparing literally would not find. (Before: json.Marshal wrote
// \u0026 and the person got no_account.)
func TestFilterDoesNotEscapeHTML(t *testing.T) {
	if got := Filter(DefaultUserFilter, `tom&jerry<x>@example.com`); got != `userName eq "tom&jerry<x>@example.com"` {
		t.Fatalf("filter %s", got)
	}
	s := providertest.NewScript(t, providertest.Step{Method: "GET", Path: "/scim/v2/Users", Query: "filter=userName%20eq%20%22tom%26jerry%40example.com%22&startIndex=1&count=100", Status: 200,
		RespBody: `{"totalResults":1,"Resources":[{"id":"u1","userName":"tom&jerry@example.com"}]}`})
	if l := newClient(t, s.URL()+"/scim/v2").Resolve(context.Background(), []string{"tom&jerry@example.com"}); strings.Join(l[0].IDs(), ",") != "u1" {
		t.Fatalf("%+v", l)
	}
	sim := simulator.NewSCIM(token, simulator.Options{})
	defer sim.Close()
	sim.Add(simulator.User{ID: "u1", Email: "tom&jerry@example.com"})
	if l := newClient(t, sim.BaseURL()).Resolve(context.Background(), []string{"tom&jerry@example.com"}); strings.Join(l[0].IDs(), ",") != "u1" {
		t.Fatalf("literal-compare server: %+v", l)
	}
}

// A 200 whose resource still says active=true is not success; a server
// that refuses the path form gets the no-path form, once, remembered for
// the connection. (Before: 200 was done whatever it said; a 400 was final.)
func TestPatchAnswerAndNoPathFallback(t *testing.T) {
	s := providertest.NewScript(t,
		providertest.Step{Method: "PATCH", Path: "/scim/v2/Users/a", Body: pathOff, Status: 200, RespBody: `{"id":"a","active":"True"}`},
		providertest.Step{Method: "PATCH", Path: "/scim/v2/Users/b", Body: pathOff, Status: 400,
			RespBody: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidPath","detail":"path not supported"}`},
		providertest.Step{Method: "PATCH", Path: "/scim/v2/Users/b", Body: noPathOff, Status: 200, RespBody: `{"id":"b","active":false}`},
		providertest.Step{Method: "PATCH", Path: "/scim/v2/Users/c", Body: noPathOff, Status: 204},
	)
	c := newClient(t, s.URL()+"/scim/v2")
	ctx := context.Background()
	r := c.Revoke(ctx, []provider.User{{ID: "a"}})
	if e := provider.As(r[0].Err); r[0].Outcome != provider.Failed || e.Code != message.CodeProvider || e.Retryable() {
		t.Fatalf("200 with active still true: %+v", r[0])
	}
	if r := c.Revoke(ctx, []provider.User{{ID: "b"}}); r[0].Outcome != provider.Done || r[0].Attempts != 2 {
		t.Fatalf("no-path fallback: %+v", r[0])
	}
	if r := c.Revoke(ctx, []provider.User{{ID: "c"}}); r[0].Outcome != provider.Done {
		t.Fatalf("remembered no-path form: %+v", r[0])
	}
}

func TestServersThatRejectThePathForm(t *testing.T) {
	sim := simulator.NewSCIM(token, simulator.Options{})
	defer sim.Close()
	sim.RejectPathPatch = true
	sim.Add(simulator.User{ID: "u1"}, simulator.User{ID: "u2"})
	c := newClient(t, sim.BaseURL())
	if r := c.Revoke(context.Background(), []provider.User{{ID: "u1"}, {ID: "u2"}}); r[0].Outcome != provider.Done || r[1].Outcome != provider.Done {
		t.Fatalf("%+v", r)
	}
	for _, id := range []string{"u1", "u2"} {
		if u, _ := sim.User(id); !u.Disabled {
			t.Fatalf("%s still active", id)
		}
	}
}

// A wrong base_url answers a bare 404: config, never "no such user".
func TestWrongBaseURL(t *testing.T) {
	sim := simulator.NewSCIM(token, simulator.Options{})
	defer sim.Close()
	sim.Add(simulator.User{ID: "u1", Email: "a@example.com"})
	c := newClient(t, sim.URL()+"/scim")
	if l := c.Resolve(context.Background(), []string{"a@example.com"}); l[0].Err == nil || provider.As(l[0].Err).Code != message.CodeConfig {
		t.Fatalf("look-up: %+v", l[0])
	}
	if r := c.Revoke(context.Background(), []provider.User{{ID: "u1"}}); r[0].Outcome != provider.Failed || provider.As(r[0].Err).Code != message.CodeConfig {
		t.Fatalf("patch: %+v", r[0])
	}
}

// A service that answers 404 for a deactivated user (Atlassian) reads
// back as revoked.
func TestDeactivatedAnswers404(t *testing.T) {
	sim := simulator.NewSCIM(token, simulator.Options{})
	defer sim.Close()
	sim.Deactivated404 = true
	sim.Add(simulator.User{ID: "u1"})
	c := newClient(t, sim.BaseURL())
	c.Revoke(context.Background(), []provider.User{{ID: "u1"}})
	if st := c.Verify(context.Background(), []string{"u1"}); st[0].Err != nil || !st[0].Matches(message.Revoke) {
		t.Fatalf("%+v", st[0])
	}
}

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Name:     Name,
		Features: providertest.Features{Restore: true, Resolve: true, Verify: true},
		ID:       func(i int) string { return fmt.Sprintf("2819c223-7f76-453a-919d-%012d", i) },
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

// FuzzParsePage: a look-up answer never panics the parser, its numbers
// are never negative, and a resource is acted on only when it carries the
// address.
func FuzzParsePage(f *testing.F) {
	f.Add([]byte(`{"totalResults":1,"Resources":[{"id":"u","userName":"a@example.com","emails":[{"value":"b@example.com"}],"active":"False"}]}`), "a@example.com")
	f.Add([]byte(`{"totalResults":3,"startIndex":2,"itemsPerPage":1,"Resources":[{"id":"u"}]}`), "a@example.com")
	f.Fuzz(func(t *testing.T, b []byte, email string) {
		p, err := ParsePage(b)
		if err != nil {
			return
		}
		if p.Total < 0 || p.StartIndex < 0 || p.ItemsPerPage < 0 || len(p.Resources) > MaxPageResources {
			t.Fatalf("%+v", p)
		}
		for _, r := range p.Resources {
			if r.Has(email) && !strings.EqualFold(r.UserName, email) {
				found := false
				for _, e := range r.Emails {
					found = found || strings.EqualFold(e.Value, email)
				}
				if !found {
					t.Fatal("matched without the address")
				}
			}
		}
	})
}

// FuzzFilter: the filter always quotes the address as one JSON string.
func FuzzFilter(f *testing.F) {
	f.Add(`a"b\c&d@example.com`)
	f.Fuzz(func(t *testing.T, email string) {
		got := Filter(DefaultUserFilter, email)
		if !strings.HasPrefix(got, `userName eq "`) || !strings.HasSuffix(got, `"`) {
			t.Fatalf("%q", got)
		}
		inner := got[len(`userName eq "`) : len(got)-1]
		for i := 0; i < len(inner); i++ {
			if inner[i] == '"' && (i == 0 || inner[i-1] != '\\') {
				t.Fatalf("unescaped quote in %q", got)
			}
		}
	})
}

// A proof names up to VerifyBatch users in one filtered search
// (id eq … or …); a user the search does not show is read by itself, and
// only that read may say it is gone. (Before: one GET per user.)
func TestVerifyBatched(t *testing.T) {
	sim := simulator.NewSCIM(token, simulator.Options{})
	defer sim.Close()
	var ids []string
	var users []provider.User
	for i := range 45 {
		id := fmt.Sprintf("u-%03d", i)
		ids = append(ids, id)
		users = append(users, provider.User{ID: id})
		sim.Add(simulator.User{ID: id, Email: id + "@example.com"})
	}
	c := newClient(t, sim.BaseURL())
	c.Revoke(context.Background(), users)
	tests := []struct {
		name     string
		ids      []string
		requests int
		gone     int
	}{
		{"one user: one GET", ids[:1], 1, 0},
		{"45 users: three searches", ids, 3, 0},
		{"a user the search does not show: read by itself", append([]string{"gone-1"}, ids[:5]...), 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := sim.Stats().Requests
			gone := 0
			for i, st := range c.Verify(context.Background(), tt.ids) {
				if st.Err != nil || !st.Known || !st.Matches(message.Revoke) {
					t.Fatalf("%s: %+v", tt.ids[i], st)
				}
				if !st.Exists {
					gone++
				}
			}
			if n := sim.Stats().Requests - before; n != tt.requests || gone != tt.gone {
				t.Fatalf("%d requests, %d gone; want %d, %d", n, gone, tt.requests, tt.gone)
			}
		})
	}
}

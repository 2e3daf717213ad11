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
)

const bobQuery = "filter=userName%20eq%20%22bob%40example.com%22"

func listBody(total, start int, resources ...string) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":%d,"startIndex":%d,"itemsPerPage":%d,"Resources":[%s]}`,
		total, start, len(resources), strings.Join(resources, ","))
}

func res(id, userName string) string {
	return fmt.Sprintf(`{"id":%q,"userName":%q,"active":true}`, id, userName)
}

// Resolve follows totalResults with startIndex/count (RFC 7644 §3.4.2.4):
// a server that answers fewer than count per page still has every result
// read, so a match on page 2 is found. (Before: only the first page was
// read, and the match on page 2 gave no_account.)
func TestResolvePages(t *testing.T) {
	auth := map[string]string{"Authorization": "Bearer " + token}
	s := providertest.NewScript(t,
		providertest.Step{Method: "GET", Path: "/scim/v2/Users", Query: bobQuery + "&startIndex=1&count=100", Header: auth, Status: 200,
			RespBody: listBody(3, 1, res("u1", "bob.builder@example.com"), res("u2", "bobby@example.com"))},
		providertest.Step{Method: "GET", Path: "/scim/v2/Users", Query: bobQuery + "&startIndex=3&count=100", Header: auth, Status: 200,
			RespBody: listBody(3, 3, res("u3", "Bob@Example.com"))},
	)
	l := newClient(t, s.URL()+"/scim/v2").Resolve(context.Background(), []string{"bob@example.com"})
	if l[0].Err != nil || strings.Join(l[0].IDs(), ",") != "u3" {
		t.Fatalf("%+v", l[0])
	}
}

// Past a stated bound, or when the server's pages cannot be trusted, a
// look-up fails; it never answers no_account from part of the list.
func TestResolvePagingFailures(t *testing.T) {
	tests := []struct {
		name  string
		steps []providertest.Step
		code  message.Code
	}{
		{"more results than MaxLookupResults", []providertest.Step{
			{Method: "GET", Path: "/scim/v2/Users", Query: bobQuery + "&startIndex=1&count=100", Status: 200, RespBody: listBody(MaxLookupResults+1, 1, res("u1", "x@example.com"))},
		}, message.CodeConfig},
		{"a server that ignores startIndex (same page again)", []providertest.Step{
			{Method: "GET", Path: "/scim/v2/Users", Query: bobQuery + "&startIndex=1&count=100", Status: 200, RespBody: `{"totalResults":2,"Resources":[` + res("u1", "x@example.com") + `]}`},
			{Method: "GET", Path: "/scim/v2/Users", Query: bobQuery + "&startIndex=2&count=100", Status: 200, RespBody: `{"totalResults":2,"Resources":[` + res("u1", "x@example.com") + `]}`},
		}, message.CodeProvider},
		{"a server that answers another startIndex", []providertest.Step{
			{Method: "GET", Path: "/scim/v2/Users", Query: bobQuery + "&startIndex=1&count=100", Status: 200, RespBody: listBody(2, 1, res("u1", "x@example.com"))},
			{Method: "GET", Path: "/scim/v2/Users", Query: bobQuery + "&startIndex=2&count=100", Status: 200, RespBody: listBody(2, 1, res("u1", "x@example.com"))},
		}, message.CodeProvider},
		{"a full page without totalResults", []providertest.Step{
			{Method: "GET", Path: "/scim/v2/Users", Query: bobQuery + "&startIndex=1&count=100", Status: 200, RespBody: `{"Resources":[` + strings.TrimSuffix(strings.Repeat(res("u", "x@example.com")+",", LookupPageSize), ",") + `]}`},
		}, message.CodeProvider},
		{"an empty page before totalResults", []providertest.Step{
			{Method: "GET", Path: "/scim/v2/Users", Query: bobQuery + "&startIndex=1&count=100", Status: 200, RespBody: listBody(5, 1, res("u1", "x@example.com"))},
			{Method: "GET", Path: "/scim/v2/Users", Query: bobQuery + "&startIndex=2&count=100", Status: 200, RespBody: listBody(5, 2)},
		}, message.CodeProvider},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := providertest.NewScript(t, tt.steps...)
			l := newClient(t, s.URL()+"/scim/v2").Resolve(context.Background(), []string{"bob@example.com"})
			if e := provider.As(l[0].Err); l[0].Err == nil || e.Code != tt.code || e.Retryable() || len(l[0].Matches) != 0 {
				t.Fatalf("got %+v (%v), want a %s failure", l[0], l[0].Err, tt.code)
			}
		})
	}
}

// More pages than MaxLookupPages (a server with one result a page) fail
// as config after MaxLookupPages requests.
func TestResolvePageBound(t *testing.T) {
	sim := simulator.NewSCIM(token, simulator.Options{})
	defer sim.Close()
	sim.PageSize = 1
	for i := range MaxLookupPages + 1 {
		sim.Add(simulator.User{ID: fmt.Sprintf("u%d", i), Email: "shared@example.com"})
	}
	l := newClient(t, sim.BaseURL()).Resolve(context.Background(), []string{"shared@example.com"})
	if provider.As(l[0].Err).Code != message.CodeConfig || len(l[0].Matches) != 0 {
		t.Fatalf("%+v", l[0])
	}
	if n := sim.Stats().ByRoute["filter"]; n != MaxLookupPages {
		t.Fatalf("%d requests, want %d", n, MaxLookupPages)
	}
}

// Against the simulator paging one result at a time, every account with
// the address is found, the last one on page 3.
func TestResolvePagesSimulator(t *testing.T) {
	sim := simulator.NewSCIM(token, simulator.Options{})
	defer sim.Close()
	sim.PageSize = 1
	sim.Add(simulator.User{ID: "a", Email: "John.Smith@corp.com"}, simulator.User{ID: "b", Email: "other@corp.com"},
		simulator.User{ID: "c", Email: "john.smith@corp.com"}, simulator.User{ID: "d", Email: "JOHN.SMITH@corp.com"})
	l := newClient(t, sim.BaseURL(), `,"user_filter":"emails.value eq \"{email}\""`).Resolve(context.Background(), []string{"john.smith@corp.com"})
	if l[0].Err != nil || strings.Join(l[0].IDs(), ",") != "a,c,d" {
		t.Fatalf("%+v", l[0])
	}
	if n := sim.Stats().ByRoute["filter"]; n != 3 {
		t.Fatalf("%d pages read, want 3", n)
	}
}

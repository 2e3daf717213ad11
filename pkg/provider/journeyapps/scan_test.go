package journeyapps

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/internal/providertest"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
)

// An address stored in mixed case (John.Smith@corp.com) is found when
// asked in another case: the misses of one Resolve call share one pass
// over the user model's listing. (Before: only the given and the
// lower-cased form were queried, and the person got no_account.)
func TestMixedCaseStoredAddress(t *testing.T) {
	sim := simulator.NewJourneyApps(token, simulator.Options{})
	defer sim.Close()
	sim.Add(simulator.User{ID: "js", Email: "John.Smith@corp.com"}, simulator.User{ID: "mm", Email: "MARY.MAJOR@corp.com"},
		simulator.User{ID: "lo", Email: "lower@corp.com"}, simulator.User{ID: "js2", Email: "john.smith@CORP.com"})
	c := newClient(t, sim.APIURL())
	tests := []struct {
		name  string
		email string
		want  string
	}{
		{"lower-cased ask, mixed-case store", "john.smith@corp.com", "js,js2"},
		{"upper-cased store", "Mary.Major@corp.com", "mm"},
		{"nobody in any case", "nobody@corp.com", ""},
		{"exact form still found by the query", "lower@corp.com", "lo"},
	}
	emails := make([]string, len(tests))
	for i, tt := range tests {
		emails[i] = tt.email
	}
	got := c.Resolve(context.Background(), emails)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got[i].Err != nil || strings.Join(got[i].IDs(), ",") != tt.want {
				t.Fatalf("got %+v, want %q", got[i], tt.want)
			}
		})
	}
	if n := sim.Stats().ByRoute["objects"]; n != 1 {
		t.Fatalf("the misses made %d passes over the listing, want 1 shared", n)
	}
	// A call whose every address is found by the query makes no pass.
	before := sim.Stats().ByRoute["objects"]
	c.Resolve(context.Background(), []string{"lower@corp.com"})
	if sim.Stats().ByRoute["objects"] != before {
		t.Fatal("a call without misses listed the model")
	}
}

// The pass pages with limit/skip as documented and fails, never answering
// "no account", past its bound, with a wrong email_field, or when the
// server repeats a page.
func TestScanFailsRatherThanGuess(t *testing.T) {
	q := "query%5Bemail%5D=a%40corp.com"
	miss := providertest.Step{Method: "GET", Path: "/api/v4/d/objects/user.json", Query: q, Status: 200, RespBody: `{"objects":[],"total":0,"count":0,"more":false}`}
	page := func(skip int, body string) providertest.Step {
		return providertest.Step{Method: "GET", Path: "/api/v4/d/objects/user.json", Query: "limit=" + strconv.Itoa(ScanPageSize) + "&skip=" + strconv.Itoa(skip), Status: 200, RespBody: body}
	}
	full := func(from int) string {
		var b strings.Builder
		for i := range ScanPageSize {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`{"id":"u` + strconv.Itoa(from+i) + `","email":"x` + strconv.Itoa(from+i) + `@corp.com"}`)
		}
		return `{"objects":[` + b.String() + `],"more":true}`
	}
	bound := []providertest.Step{miss}
	for skip := 0; skip < MaxScanObjects; skip += ScanPageSize {
		bound = append(bound, page(skip, full(skip)))
	}
	tests := []struct {
		name  string
		steps []providertest.Step
		code  message.Code
	}{
		{"more objects than MaxScanObjects", bound, message.CodeConfig},
		{"no object has the email field", []providertest.Step{miss, page(0, `{"objects":[{"id":"u1","mail":"A@corp.com"}],"more":false}`)}, message.CodeConfig},
		{"the server ignores skip", []providertest.Step{miss,
			page(0, `{"objects":[{"id":"u1","email":"b@corp.com"}],"more":true}`),
			page(1, `{"objects":[{"id":"u1","email":"b@corp.com"}],"more":true}`)}, message.CodeProvider},
		{"a route error is config", []providertest.Step{miss,
			{Method: "GET", Path: "/api/v4/d/objects/user.json", Query: "limit=500&skip=0", Status: 404, RespBody: `{"type":"ROUTE_ERROR","title":"x"}`}}, message.CodeConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := providertest.NewScript(t, tt.steps...)
			l := newClient(t, s.URL()+"/api/v4/d").Resolve(context.Background(), []string{"a@corp.com"})
			if e := provider.As(l[0].Err); l[0].Err == nil || e.Code != tt.code || len(l[0].Matches) != 0 {
				t.Fatalf("got %+v (%v), want a %s failure", l[0], l[0].Err, tt.code)
			}
		})
	}
}

// The pass reads every page until "more" is false, and finds a match on
// the last one.
func TestScanPages(t *testing.T) {
	q := "query%5Bemail%5D=a%40corp.com"
	s := providertest.NewScript(t,
		providertest.Step{Method: "GET", Path: "/api/v4/d/objects/user.json", Query: q, Status: 200, RespBody: `{"objects":[],"more":false}`},
		providertest.Step{Method: "GET", Path: "/api/v4/d/objects/user.json", Query: "limit=500&skip=0", Status: 200, RespBody: `{"objects":[{"id":"u1","email":"b@corp.com"},{"id":"u2","email":"c@corp.com"}],"more":true}`},
		providertest.Step{Method: "GET", Path: "/api/v4/d/objects/user.json", Query: "limit=500&skip=2", Status: 200, RespBody: `{"objects":[{"id":"u3","email":" A@Corp.com "}],"more":false}`},
	)
	l := newClient(t, s.URL()+"/api/v4/d").Resolve(context.Background(), []string{"a@corp.com"})
	if l[0].Err != nil || strings.Join(l[0].IDs(), ",") != "u3" {
		t.Fatalf("%+v", l[0])
	}
}

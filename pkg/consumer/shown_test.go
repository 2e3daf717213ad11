package consumer

import (
	"context"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/message"
)

// An address a provider shows is kept only when it passes the request's
// email check; a refused one reaches the log quoted, cut and escaped.
func TestShownEmail(t *testing.T) {
	for _, tc := range []struct {
		name, in, keep string
		refused        bool
	}{
		{"empty", "", "", false},
		{"valid", "Alice@corp.example", "Alice@corp.example", false},
		{"too long", strings.Repeat("x", 5000) + "@corp.example", "", true},
		{"control", "a\nb@corp.example", "", true},
		{"not an address", "alice", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keep, refused := shownEmail(tc.in)
			if keep != tc.keep || (refused != "") != tc.refused {
				t.Fatalf("keep %q refused %q", keep, refused)
			}
			if len(refused) > 2*maxRefusedShown+40 || strings.ContainsAny(refused, "\n\u202e") {
				t.Fatalf("refused not bounded or not escaped: %q", refused)
			}
		})
	}
}

// The account is named: an email target records the provider's user id of
// every account it matched, each of several.
func TestResolvedAccountsAreRecorded(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.SC.Add(simulator.User{ID: "sc-1", Email: "a@example.com"}, simulator.User{ID: "sc-2", Email: "A@example.com"}, simulator.User{ID: "sc-3", Email: "b@example.com"})
	resp, _ := w.consumer(&fakeDLQ{}).Handle(context.Background(), event(t, msg("wiki", "scim", "", "a@example.com")))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatal(resp.BatchItemFailures)
	}
	o := w.outcomes(t)["e:a@example.com#wiki"]
	if o.Outcome != message.Done || strings.Join(o.ResolvedIDs, ",") != "sc-1,sc-2" {
		t.Fatalf("%+v", o)
	}
}

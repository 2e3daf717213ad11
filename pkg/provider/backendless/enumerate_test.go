package backendless

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/internal/providertest"
)

// Enumerate pages data/Users with pageSize=100 and offset=the cursor; a
// short page is the last; each account carries its email, status and
// last login.
func TestEnumerateRequestsExactly(t *testing.T) {
	root := "/" + appID + "/" + apiKey
	full := make([]string, 100)
	for i := range full {
		full[i] = fmt.Sprintf(`{"objectId":"U%03d","email":"u%03d@example.com","userStatus":"ENABLED"}`, i, i)
	}
	s := providertest.NewScript(t,
		providertest.Step{Method: "GET", Path: root + "/data/Users", Query: "pageSize=100", Status: 200, RespBody: "[" + strings.Join(full, ",") + "]"},
		providertest.Step{Method: "GET", Path: root + "/data/Users", Query: "offset=100&pageSize=100", Status: 200,
			RespBody: `[{"objectId":"X1","email":"x@example.com","userStatus":"DISABLED","lastLogin":1700000000000}]`},
	)
	c := newClient(t, s.URL())
	for _, tc := range []struct {
		name, cursor, next string
		n                  int
		last               string
		disabled           bool
	}{
		{"full page", "", "100", 100, "U099", false},
		{"short last page", "100", "", 1, "X1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := c.Enumerate(context.Background(), tc.cursor)
			if err != nil || p.Next != tc.next || len(p.Accounts) != tc.n {
				t.Fatalf("%d accounts, next %q, %v", len(p.Accounts), p.Next, err)
			}
			a := p.Accounts[tc.n-1]
			if a.ID != tc.last || a.Disabled != tc.disabled || a.Email == "" || (tc.disabled && a.LastActive.UnixMilli() != 1700000000000) {
				t.Fatalf("%+v", a)
			}
		})
	}
}

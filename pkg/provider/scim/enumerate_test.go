package scim

import (
	"context"
	"fmt"
	"testing"

	"github.com/revoke-dev/revoke/internal/providertest"
)

// Enumerate lists GET /Users without a filter (RFC 7644 §3.4.2), startIndex
// 1-based from the 0-based cursor, count=100, following totalResults; the
// address is userName when it is one, else the first email, and the
// other addresses are kept beside it; active false is disabled.
func TestEnumerateRequestsExactly(t *testing.T) {
	auth := map[string]string{"Authorization": "Bearer " + token}
	s := providertest.NewScript(t,
		providertest.Step{Method: "GET", Path: "/scim/v2/Users", Query: "startIndex=1&count=100", Header: auth, Status: 200,
			RespBody: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":3,"startIndex":1,"itemsPerPage":2,"Resources":[` +
				`{"id":"a","userName":"ann@example.com","active":true},{"id":"b","userName":"bob","emails":[{"value":"bob@example.com"}],"active":false}]}`},
		providertest.Step{Method: "GET", Path: "/scim/v2/Users", Query: "startIndex=3&count=100", Header: auth, Status: 200,
			RespBody: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":3,"startIndex":3,"itemsPerPage":1,"Resources":[{"id":"c","userName":"cy@corp.onmicrosoft.example","emails":[{"value":"cy@example.com"},{"value":"CY@corp.onmicrosoft.example"}],"active":"True"}]}`},
	)
	c := newClient(t, s.URL()+"/scim/v2")
	for _, tc := range []struct {
		name, cursor, next string
		want               []string // id:email:disabled:also
	}{
		{"a short page before totalResults", "", "2", []string{"a:ann@example.com:false:[]", "b:bob@example.com:true:[]"}},
		{"the last page", "2", "", []string{"c:cy@corp.onmicrosoft.example:false:[cy@example.com]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := c.Enumerate(context.Background(), tc.cursor)
			if err != nil || p.Next != tc.next || len(p.Accounts) != len(tc.want) {
				t.Fatalf("%+v %v", p, err)
			}
			for i, a := range p.Accounts {
				if got := a.ID + ":" + a.Email + ":" + map[bool]string{true: "true", false: "false"}[a.Disabled] + ":" + fmt.Sprint(a.Also); got != tc.want[i] {
					t.Fatalf("account %d: %s, want %s", i, got, tc.want[i])
				}
			}
		})
	}
}

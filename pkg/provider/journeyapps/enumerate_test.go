package journeyapps

import (
	"context"
	"testing"

	"github.com/revoke-dev/revoke/internal/providertest"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
)

// Enumerate reads the user model one page a call (limit=500, skip=the
// cursor) with the bearer token: each object's id and email; "more" false
// ends the listing. A cursor that is not an offset is refused without a
// call.
func TestEnumerateRequestsExactly(t *testing.T) {
	auth := map[string]string{"Authorization": "Bearer " + token}
	s := providertest.NewScript(t,
		providertest.Step{Method: "GET", Path: "/api/v4/d/objects/user.json", Query: "limit=500&skip=0", Header: auth, Status: 200,
			RespBody: `{"objects":[{"id":"u-1","email":"Ann@Example.com"},{"id":"../x","email":"bad@example.com"}],"total":3,"count":2,"more":true}`},
		providertest.Step{Method: "GET", Path: "/api/v4/d/objects/user.json", Query: "limit=500&skip=2", Header: auth, Status: 200,
			RespBody: `{"objects":[{"id":"u-3"}],"total":3,"count":1,"more":false}`},
	)
	c := newClient(t, s.URL()+"/api/v4/d")
	ctx := context.Background()
	for _, tc := range []struct {
		name, cursor, next string
		ids                []string
		emails             []string
	}{
		{"first page", "", "2", []string{"u-1"}, []string{"Ann@Example.com"}},
		{"last page", "2", "", []string{"u-3"}, []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := c.Enumerate(ctx, tc.cursor)
			if err != nil || p.Next != tc.next || len(p.Accounts) != len(tc.ids) {
				t.Fatalf("%+v %v", p, err)
			}
			for i, a := range p.Accounts {
				if a.ID != tc.ids[i] || a.Email != tc.emails[i] || a.Disabled {
					t.Fatalf("account %d: %+v", i, a)
				}
			}
		})
	}
	if _, err := c.Enumerate(ctx, "-1"); provider.As(err).Code != message.CodeInvalid {
		t.Fatalf("bad cursor: %v", err)
	}
}

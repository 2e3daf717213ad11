package backendless

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/providertest"
	"github.com/revoke-dev/revoke/pkg/provider"
)

func TestWhere(t *testing.T) {
	since := time.UnixMilli(1700000000000)
	for _, tc := range []struct {
		name string
		q    provider.ListQuery
		want string
	}{
		{"nothing", provider.ListQuery{}, ""},
		{"inactive since", provider.ListQuery{InactiveSince: since}, "(lastLogin < 1700000000000 OR (lastLogin IS NULL AND created < 1700000000000))"},
		{"where", provider.ListQuery{Where: "userStatus = 'ENABLED'"}, "userStatus = 'ENABLED'"},
		{"both", provider.ListQuery{Where: "a = 1 OR b = 2", InactiveSince: since}, "(a = 1 OR b = 2) AND (lastLogin < 1700000000000 OR (lastLogin IS NULL AND created < 1700000000000))"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Where(tc.q); got != tc.want {
				t.Fatalf("Where = %q, want %q", got, tc.want)
			}
		})
	}
}

// The inactive sweep's typed cut-off becomes Backendless's own where
// clause (epoch milliseconds), and an account the server should not have
// returned is not reported.
func TestListInactiveSinceRequestsExactly(t *testing.T) {
	root := "/" + appID + "/" + apiKey
	s := providertest.NewScript(t, providertest.Step{
		Method: "GET", Path: root + "/data/Users", Query: "pageSize=100&where=%28lastLogin+%3C+1700000000000+OR+%28lastLogin+IS+NULL+AND+created+%3C+1700000000000%29%29",
		Status: 200,
		RespBody: `[{"objectId":"OLD","email":"old@example.com","userStatus":"ENABLED","lastLogin":1600000000000},
		            {"objectId":"NEVER","email":"never@example.com","userStatus":"ENABLED","lastLogin":null,"created":1600000000000},
		            {"objectId":"NEW","email":"new@example.com","userStatus":"ENABLED","lastLogin":1750000000000}]`,
	})
	var got []string
	err := newClient(t, s.URL()).List(context.Background(), provider.ListQuery{InactiveSince: time.UnixMilli(1700000000000)}, func(a provider.Account) bool {
		got = append(got, a.ID)
		return true
	})
	if err != nil || strings.Join(got, ",") != "OLD,NEVER" {
		t.Fatalf("listed %v, err %v; want OLD and NEVER (never signed in, created before)", got, err)
	}
}

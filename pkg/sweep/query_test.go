package sweep

import (
	"context"
	"sync"
	"testing"

	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

// queryRecorder is a listing provider with a where filter of its own
// syntax: it records the query the sweep gives it.
type queryRecorder struct {
	mu  *sync.Mutex
	got *[]provider.ListQuery
}

func (queryRecorder) Revoke(context.Context, []provider.User) []provider.Result { return nil }
func (r queryRecorder) List(_ context.Context, q provider.ListQuery, _ func(provider.Account) bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	*r.got = append(*r.got, q)
	return nil
}

// The sweep gives every provider a typed cut-off and never writes a
// provider's query language: a provider with the Where capability that is
// not Backendless used to be sent "lastLogin < <ms>".
func TestInactiveQueryIsTyped(t *testing.T) {
	var (
		mu  sync.Mutex
		got []provider.ListQuery
	)
	rec := registry.Define("acme", func([]byte, rest.Options) (queryRecorder, error) { return queryRecorder{&mu, &got}, nil }, registry.Where)
	e := newEnv(t, registry.Builtin().With(rec), "lister=acme")
	for _, tc := range []struct {
		name, in string
		want     provider.ListQuery
	}{
		{"days", `{"redrive":{"max_messages":0},"inactive":[{"connection":"lister","days":30}]}`,
			provider.ListQuery{InactiveSince: e.clock.Now().AddDate(0, 0, -30)}},
		{"where", `{"redrive":{"max_messages":0},"inactive":[{"connection":"lister","where":"seen < 5"}]}`,
			provider.ListQuery{Where: "seen < 5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = nil
			if r := e.run(t, tc.in); r.Inactive[0].Status != StatusOK {
				t.Fatalf("%+v", r.Inactive[0])
			}
			if len(got) != 1 || got[0].Where != tc.want.Where || !got[0].InactiveSince.Equal(tc.want.InactiveSince) {
				t.Fatalf("query %+v, want %+v", got, tc.want)
			}
		})
	}
}

package providertest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
)

// Features are what a provider can do besides revoking. The suite checks
// them against the client's interfaces (what the registry derives its
// capabilities from) and tests each.
type Features struct {
	Restore bool // provider.Restorer
	Resolve bool // provider.Resolver
	Verify  bool // provider.Verifier
	List    bool // provider.Lister
	// Already: revoking a revoked user reports Already (the provider says
	// so); otherwise Done is as good.
	Already bool
	// NoNotFound: the provider documents no "no such user" answer to a
	// change (Mendix), so revoking an unknown id fails, never NotFound.
	NoNotFound bool
}

// Harness adapts one provider to the suite.
type Harness struct {
	Name     string
	Features Features
	// New starts a simulator and returns it with a client configured for it
	// (ALLOW_INSECURE_HTTP, a generous rate).
	New func(t *testing.T) (simulator.Sim, provider.Client)
	// ID makes a provider-shaped user id from a number.
	ID func(i int) string
}

func user(h Harness, i int) simulator.User {
	return simulator.User{ID: h.ID(i), Email: fmt.Sprintf("user%d@example.com", i), Enrolled: true}
}

func revoke(c provider.Client, ids ...string) []provider.Result {
	users := make([]provider.User, len(ids))
	for i, id := range ids {
		users[i] = provider.User{ID: id}
	}
	return c.Revoke(context.Background(), users)
}

// Run is the conformance suite every provider client passes.
func Run(t *testing.T, h Harness) {
	ctx := context.Background()
	t.Run("features match the client's interfaces", func(t *testing.T) {
		_, c := h.New(t)
		_, restore := c.(provider.Restorer)
		_, resolve := c.(provider.Resolver)
		_, verify := c.(provider.Verifier)
		_, list := c.(provider.Lister)
		if got := (Features{restore, resolve, verify, list, h.Features.Already, h.Features.NoNotFound}); got != h.Features {
			t.Fatalf("client has %+v, harness says %+v", got, h.Features)
		}
	})
	t.Run("revoke, then revoke again", func(t *testing.T) {
		sim, c := h.New(t)
		sim.Add(user(h, 1), user(h, 2))
		for round := range 2 {
			for i, r := range revoke(c, h.ID(1), h.ID(2)) {
				switch {
				case round == 0 && r.Outcome != provider.Done:
					t.Fatalf("round 0 user %d: %+v", i, r)
				case round == 1 && h.Features.Already && r.Outcome != provider.Already:
					t.Fatalf("revoking a revoked user must report already: %+v", r)
				case round == 1 && r.Outcome != provider.Done && r.Outcome != provider.Already:
					t.Fatalf("round 1 user %d: %+v", i, r)
				}
			}
			for _, id := range []string{h.ID(1), h.ID(2)} {
				if u, _ := sim.User(id); !u.Disabled {
					t.Fatalf("round %d: %s still has access", round, id)
				}
			}
		}
	})
	t.Run("restore", func(t *testing.T) {
		sim, c := h.New(t)
		u := user(h, 3)
		u.Disabled = true
		sim.Add(u)
		res := provider.Apply(ctx, c, message.Restore, []provider.User{{ID: u.ID}})
		got, _ := sim.User(u.ID)
		if !h.Features.Restore {
			if res[0].Outcome != provider.Failed || provider.As(res[0].Err).Code != message.CodeUnsupported || provider.As(res[0].Err).Retryable() {
				t.Fatalf("restore on a provider that cannot: %+v", res[0])
			}
			if !got.Disabled || sim.Stats().Requests != 0 {
				t.Fatal("restore must not call the provider")
			}
			return
		}
		if res[0].Outcome != provider.Done || got.Disabled {
			t.Fatalf("restore: %+v, user %+v", res[0], got)
		}
	})
	t.Run("not found", func(t *testing.T) {
		sim, c := h.New(t)
		sim.Add(user(h, 4))
		res := revoke(c, h.ID(999), h.ID(4))
		want := provider.NotFound
		if h.Features.NoNotFound {
			want = provider.Failed
		}
		if res[0].Outcome != want || res[1].Outcome != provider.Done {
			t.Fatalf("got %+v, want %s for the unknown id", res, want)
		}
	})
	t.Run("look up by email", func(t *testing.T) {
		if !h.Features.Resolve {
			t.Skip("no look-up")
		}
		sim, c := h.New(t)
		mixed := user(h, 16)
		mixed.Email = "John.Smith@Example.com" // stored in mixed case, asked in lower case
		sim.Add(user(h, 5), user(h, 6), mixed)
		got := c.(provider.Resolver).Resolve(ctx, []string{"user5@example.com", "nobody@example.com", "USER6@Example.com", "john.smith@example.com"})
		if len(got) != 4 || got[0].Err != nil || got[1].Err != nil || got[2].Err != nil || got[3].Err != nil {
			t.Fatalf("lookups: %+v", got)
		}
		if strings.Join(got[0].IDs(), ",") != h.ID(5) || len(got[1].Matches) != 0 || strings.Join(got[2].IDs(), ",") != h.ID(6) {
			t.Fatalf("lookups (the third one differs only in case): %+v", got)
		}
		if strings.Join(got[3].IDs(), ",") != h.ID(16) {
			t.Fatalf("an address stored in mixed case, asked in lower case: %+v", got[3])
		}
	})
	t.Run("a look-up that fails is no answer", func(t *testing.T) {
		if !h.Features.Resolve {
			t.Skip("no look-up")
		}
		sim, c := h.New(t)
		sim.Add(user(h, 7))
		sim.FailNext(http.StatusForbidden)
		got := c.(provider.Resolver).Resolve(ctx, []string{"user7@example.com"})
		if got[0].Err == nil || len(got[0].Matches) != 0 || provider.As(got[0].Err).Code != message.CodeForbidden {
			t.Fatalf("a 403 on a look-up must be a forbidden failure, never no-such-user: %+v", got[0])
		}
	})
	t.Run("read back", func(t *testing.T) {
		if !h.Features.Verify {
			t.Skip("no read API")
		}
		sim, c := h.New(t)
		sim.Add(user(h, 8), user(h, 9))
		revoke(c, h.ID(8))
		st := c.(provider.Verifier).Verify(ctx, []string{h.ID(8), h.ID(9), h.ID(998)})
		switch {
		case st[0].Err != nil || !st[0].Matches(message.Revoke):
			t.Fatalf("revoked user read back as %+v", st[0])
		case st[1].Err != nil || st[1].Matches(message.Revoke) || !st[1].Known:
			t.Fatalf("active user read back as %+v", st[1])
		case st[2].Err != nil || !st[2].Known || st[2].Exists:
			t.Fatalf("unknown user read back as %+v", st[2])
		}
	})
	t.Run("a provider that reports success but changes nothing is caught by the read-back", func(t *testing.T) {
		if !h.Features.Verify {
			t.Skip("no read API")
		}
		sim, c := h.New(t)
		sim.Add(user(h, 10))
		sim.SetOptions(simulator.Options{IgnoreChanges: true})
		res := revoke(c, h.ID(10))
		st := c.(provider.Verifier).Verify(ctx, []string{h.ID(10)})
		if (res[0].Outcome == provider.Done || res[0].Outcome == provider.Already) && st[0].Matches(message.Revoke) {
			t.Fatalf("the user keeps access but revoke and its read-back both say revoked: %+v %+v", res[0], st[0])
		}
	})
	t.Run("rate limited, then recovering", func(t *testing.T) {
		sim, c := h.New(t)
		sim.Add(user(h, 11))
		sim.FailNext(http.StatusTooManyRequests)
		if r := revoke(c, h.ID(11))[0]; r.Outcome != provider.Done || r.Attempts < 2 {
			t.Fatalf("got %+v", r)
		}
	})
	t.Run("5xx and a dropped connection, then recovering", func(t *testing.T) {
		sim, c := h.New(t)
		sim.Add(user(h, 12))
		sim.FailNext(http.StatusServiceUnavailable, 0)
		if r := revoke(c, h.ID(12))[0]; r.Outcome != provider.Done || r.Attempts != 3 {
			t.Fatalf("got %+v", r)
		}
	})
	t.Run("5xx that persists is retryable", func(t *testing.T) {
		sim, c := h.New(t)
		sim.Add(user(h, 13))
		sim.FailNext(500, 502, 503, 504, 500, 502, 503, 504)
		cctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
		defer cancel()
		if r := c.Revoke(cctx, []provider.User{{ID: h.ID(13)}})[0]; r.Outcome != provider.Failed || !provider.As(r.Err).Retryable() {
			t.Fatalf("got %+v", r)
		}
	})
	t.Run("permanent 4xx", func(t *testing.T) {
		sim, c := h.New(t)
		sim.Add(user(h, 14))
		sim.FailNext(http.StatusConflict)
		r := revoke(c, h.ID(14))[0]
		var pe *provider.Error
		if r.Outcome != provider.Failed || provider.As(r.Err).Retryable() || r.Attempts != 1 || !errors.As(r.Err, &pe) || pe.Status != http.StatusConflict {
			t.Fatalf("got %+v %v", r, r.Err)
		}
		if u, _ := sim.User(h.ID(14)); u.Disabled {
			t.Fatal("a refused call changed the user")
		}
	})
	t.Run("list: InactiveSince selects exactly what ListQuery.Inactive selects", func(t *testing.T) {
		if !h.Features.List {
			t.Skip("no listing API")
		}
		sim, c := h.New(t)
		now := time.Now().UTC().Truncate(time.Second)
		old, recent := now.AddDate(0, 0, -200), now.AddDate(0, 0, -5)
		seed := []struct {
			last, created time.Time
			want          bool
		}{
			{old, old, true},                  // last active before the cut-off
			{recent, old, false},              // active since
			{time.Time{}, old, true},          // never signed in, created before
			{time.Time{}, recent, false},      // never signed in, created since
			{time.Time{}, time.Time{}, false}, // no dates: never inactive
		}
		want := map[string]bool{}
		for i, u := range seed {
			su := user(h, 40+i)
			su.LastActive, su.Created = u.last, u.created
			sim.Add(su)
			if u.want {
				want[su.ID] = true
			}
		}
		q := provider.ListQuery{InactiveSince: now.AddDate(0, 0, -90)}
		got := map[string]bool{}
		err := c.(provider.Lister).List(ctx, q, func(a provider.Account) bool {
			if !q.Inactive(a) {
				t.Errorf("listed %s, which Inactive does not select: %+v", a.ID, a)
			}
			got[a.ID] = true
			return true
		})
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("listed %v (err %v), want %v", got, err, want)
		}
	})
	t.Run("1000-user batch", func(t *testing.T) {
		sim, c := h.New(t)
		ids := make([]string, 1000)
		for i := range ids {
			sim.Add(user(h, 1000+i))
			ids[i] = h.ID(1000 + i)
		}
		for i, r := range revoke(c, ids...) {
			if r.Outcome != provider.Done {
				t.Fatalf("user %d: %+v", i, r)
			}
			if u, _ := sim.User(ids[i]); !u.Disabled {
				t.Fatalf("user %d still has access", i)
			}
		}
		t.Logf("%s: 1000 users in %d requests", h.Name, sim.Stats().Requests)
	})
}

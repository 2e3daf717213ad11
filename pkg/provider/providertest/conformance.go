package providertest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/simulator"
)

// Harness adapts one provider to the suite.
type Harness struct {
	Name       string
	CanRestore bool
	// New starts a simulator and returns it with a client configured for it
	// (ALLOW_INSECURE_HTTP, a generous rate).
	New func(t *testing.T) (simulator.Sim, provider.Client)
	// ID makes a provider-shaped user id from a number.
	ID func(i int) string
}

func user(h Harness, i int) simulator.User {
	return simulator.User{ID: h.ID(i), Email: fmt.Sprintf("user%d@example.com", i)}
}

// Run is the conformance suite every provider client passes.
func Run(t *testing.T, h Harness) {
	ctx := context.Background()
	t.Run("revoke then revoke again", func(t *testing.T) {
		sim, c := h.New(t)
		sim.Add(user(h, 1), user(h, 2))
		for round := range 2 {
			res := c.Apply(ctx, provider.Revoke, []provider.User{{ID: h.ID(1)}, {ID: h.ID(2)}})
			for i, r := range res {
				if r.Outcome != provider.Done && r.Outcome != provider.Already {
					t.Fatalf("round %d user %d: %+v", round, i, r)
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
		res := c.Apply(ctx, provider.Restore, []provider.User{{ID: u.ID}})
		got, _ := sim.User(u.ID)
		if !h.CanRestore {
			if res[0].Outcome != provider.Failed || provider.As(res[0].Err).Code != provider.CodeUnsupported || provider.As(res[0].Err).Retryable() {
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
		res := c.Apply(ctx, provider.Revoke, []provider.User{{ID: h.ID(999)}, {ID: h.ID(4)}})
		if res[0].Outcome != provider.NotFound || res[1].Outcome != provider.Done {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("look up by email", func(t *testing.T) {
		sim, c := h.New(t)
		sim.Add(user(h, 5), user(h, 6))
		r, ok := c.(provider.Resolver)
		if !ok {
			t.Fatal("client cannot look users up by email")
		}
		got := r.Resolve(ctx, []string{"user5@example.com", "nobody@example.com", "user6@example.com"})
		if len(got) != 3 || got[0].Err != nil || got[1].Err != nil || got[2].Err != nil {
			t.Fatalf("lookups: %+v", got)
		}
		if strings.Join(got[0].IDs, ",") != h.ID(5) || len(got[1].IDs) != 0 || strings.Join(got[2].IDs, ",") != h.ID(6) {
			t.Fatalf("lookups: %+v", got)
		}
	})
	t.Run("rate limited then recovering", func(t *testing.T) {
		sim, c := h.New(t)
		sim.Add(user(h, 7))
		sim.FailNext(http.StatusTooManyRequests)
		res := c.Apply(ctx, provider.Revoke, []provider.User{{ID: h.ID(7)}})
		if res[0].Outcome != provider.Done || res[0].Attempts < 2 {
			t.Fatalf("got %+v", res[0])
		}
	})
	t.Run("5xx then recovering", func(t *testing.T) {
		sim, c := h.New(t)
		sim.Add(user(h, 8))
		sim.FailNext(http.StatusServiceUnavailable, 0) // a 503, then a dropped connection
		res := c.Apply(ctx, provider.Revoke, []provider.User{{ID: h.ID(8)}})
		if res[0].Outcome != provider.Done || res[0].Attempts != 3 {
			t.Fatalf("got %+v", res[0])
		}
	})
	t.Run("5xx that persists is retryable", func(t *testing.T) {
		sim, c := h.New(t)
		sim.Add(user(h, 9))
		sim.FailNext(500, 502, 503, 504, 500, 502, 503, 504)
		cctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
		defer cancel()
		res := c.Apply(cctx, provider.Revoke, []provider.User{{ID: h.ID(9)}})
		if res[0].Outcome != provider.Failed || !provider.As(res[0].Err).Retryable() {
			t.Fatalf("got %+v", res[0])
		}
	})
	t.Run("permanent 4xx", func(t *testing.T) {
		sim, c := h.New(t)
		sim.Add(user(h, 10))
		sim.FailNext(http.StatusBadRequest)
		res := c.Apply(ctx, provider.Revoke, []provider.User{{ID: h.ID(10)}})
		if res[0].Outcome != provider.Failed || provider.As(res[0].Err).Retryable() || res[0].Attempts != 1 {
			t.Fatalf("got %+v", res[0])
		}
		var pe *provider.Error
		if !errors.As(res[0].Err, &pe) || pe.Status != http.StatusBadRequest {
			t.Fatalf("error %v", res[0].Err)
		}
	})
	t.Run("1000-user batch", func(t *testing.T) {
		sim, c := h.New(t)
		users := make([]provider.User, 1000)
		for i := range users {
			sim.Add(user(h, 1000+i))
			users[i] = provider.User{ID: h.ID(1000 + i)}
		}
		res := c.Apply(ctx, provider.Revoke, users)
		for i, r := range res {
			if r.Outcome != provider.Done {
				t.Fatalf("user %d: %+v", i, r)
			}
			if u, _ := sim.User(users[i].ID); !u.Disabled {
				t.Fatalf("user %d still has access", i)
			}
		}
		t.Logf("%s: 1000 users in %d requests", h.Name, sim.Stats().Requests)
	})
}

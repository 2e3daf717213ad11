package sweep

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/secrets"
)

// rotated is a listing provider whose first credential was rotated: it
// refuses the old secret with a 401 and lists with the new one.
type rotated struct {
	secret string
	opts   rest.Options
}

func (rotated) Revoke(context.Context, []provider.User) []provider.Result { return nil }
func (r rotated) List(_ context.Context, _ provider.ListQuery, fn func(provider.Account) bool) error {
	if r.opts.Observe != nil {
		r.opts.Observe(rest.Observation{Op: "list users", Status: 200, Duration: 12 * time.Millisecond})
	}
	if r.secret != `{"v":2}` {
		return provider.Permanent("rotated: list users", message.CodeUnauthorized, "the credential was refused")
	}
	fn(provider.Account{ID: "old-1", LastActive: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	return nil
}

// The sweep builds its clients as the consumer does: the connection's
// rate limiter (kept across a rebuild), the Observe hook (its latencies
// reach the sweep's metrics) and one secret refresh on a 401. Before, the
// sweep's clients had none of these and a rotated secret failed the run.
func TestSweepClientIsTheConsumers(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []rest.Options
	)
	kind := registry.Define("rotated", func(secret []byte, o rest.Options) (rotated, error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, o)
		return rotated{secret: string(secret), opts: o}, nil
	})
	e := newEnv(t, registry.Builtin().With(kind), "lister=rotated")
	cache := secrets.NewCache(e.secrets, time.Hour)
	cache.Now = e.clock.Now
	var metrics bytes.Buffer
	e.sweeper.Secrets, e.sweeper.Metrics = cache, &metrics
	e.secrets.Put("revoke/lister", `{"v":1}`)

	// The secret is read (v1) and cached; then it is rotated.
	if _, err := cache.Get(context.Background(), "revoke/lister"); err != nil {
		t.Fatal(err)
	}
	e.secrets.Put("revoke/lister", `{"v":2}`)
	e.clock.Add(time.Minute)

	r := e.run(t, `{"dry_run":true,"redrive":{"max_messages":0},"inactive":[{"connection":"lister","days":30}]}`)
	if r.Inactive[0].Status != StatusOK || r.Inactive[0].Found != 1 {
		t.Fatalf("a refused credential was not refreshed: %+v", r.Inactive[0])
	}
	if len(seen) != 2 {
		t.Fatalf("%d clients built, want 2 (the old secret, then the refreshed one)", len(seen))
	}
	for i, o := range seen {
		if o.Limiter == nil || o.Observe == nil || o.Instances != e.sweeper.Config.MaxConcurrency {
			t.Fatalf("client %d built without the limiter, Observe hook or instances: %+v", i, o)
		}
	}
	if seen[0].Limiter != seen[1].Limiter {
		t.Fatal("the rebuilt client has a new rate limiter")
	}
	if m := metrics.String(); !strings.Contains(m, `"provider":"rotated"`) || !strings.Contains(m, `"provider_call_ms":[12,12]`) {
		t.Fatalf("the provider calls' latencies are not in the sweep's metrics: %s", m)
	}
}

// A connection whose secret does not exist is a configuration error, as
// the consumer classifies it (clients.ErrSecretMissing), not a Secrets
// Manager outage: the sweep says so instead of "reading … failed".
func TestSweepMissingSecretIsConfig(t *testing.T) {
	e := newEnv(t, registry.Builtin(), "gone=backendless") // no secret revoke/gone
	r := e.run(t, `{"dry_run":true,"redrive":{"max_messages":0},"inactive":[{"connection":"gone","days":30}]}`)
	got := r.Inactive[0]
	if got.Status != StatusError || !strings.Contains(got.Error, string(message.CodeConfig)) || !strings.Contains(got.Error, "does not exist") {
		t.Fatalf("%+v, want a config error naming the missing secret", got)
	}
}

package clients_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/clients"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/secrets"
)

// probe is a provider whose constructor records what it was built with.
type probe struct {
	secret string
	opts   rest.Options
}

func (*probe) Revoke(context.Context, []provider.User) []provider.Result { return nil }

type built struct {
	mu   sync.Mutex
	list []*probe
}

func (b *built) kind() registry.Kind {
	return registry.Define("probe", func(secret []byte, o rest.Options) (*probe, error) {
		if string(secret) == `bad` {
			return nil, provider.Config("probe", "secret is not JSON")
		}
		p := &probe{secret: string(secret), opts: o}
		b.mu.Lock()
		defer b.mu.Unlock()
		b.list = append(b.list, p)
		return p, nil
	})
}

func newBuilder(t *testing.T, b *built) (*clients.Builder, *inmem.Secrets, *storetest.Clock) {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"CONNECTIONS": "tools=probe,crm=probe", "MAX_CONCURRENCY": "3", "ALLOW_INSECURE_HTTP": "true"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	store := &inmem.Secrets{}
	clock := storetest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	cache := secrets.NewCache(store, time.Hour)
	cache.Now = clock.Now
	return &clients.Builder{Config: cfg, Providers: registry.New(b.kind()), Secrets: cache}, store, clock
}

func TestClient(t *testing.T) {
	ctx := context.Background()
	b := &built{}
	cb, store, clock := newBuilder(t, b)
	var observed string
	cb.Observe = func(prov string, o rest.Observation) { observed = prov + ":" + o.Op }
	tools := config.Connection{Name: "tools", Provider: "probe"}
	store.Put("revoke/tools", `v1`)

	c1, _, err := cb.Client(ctx, tools, false)
	if err != nil {
		t.Fatal(err)
	}
	if again, _, _ := cb.Client(ctx, tools, false); again != c1 || len(b.list) != 1 {
		t.Fatalf("an unchanged secret rebuilt the client (%d builds)", len(b.list))
	}
	first := b.list[0].opts
	if first.Limiter == nil || first.Observe == nil || first.Instances != 3 || !first.AllowInsecureHTTP || first.HTTP == nil {
		t.Fatalf("client built without the connection's limiter, Observe hook or settings: %+v", first)
	}
	if first.Observe(rest.Observation{Op: "revoke"}); observed != "probe:revoke" {
		t.Fatalf("the client's calls reach Observe as %q", observed)
	}

	// A refusal: the secret was rotated; a refresh reads it and rebuilds
	// the client on the same rate limiter.
	store.Put("revoke/tools", `v2`)
	clock.Add(time.Minute)
	c2, _, err := cb.Client(ctx, tools, true)
	if err != nil || c2 == c1 || b.list[1].secret != `v2` {
		t.Fatalf("refresh: %v, builds %d", err, len(b.list))
	}
	if b.list[1].opts.Limiter != first.Limiter {
		t.Fatal("a rebuilt client has a new rate limiter: the connection's budget would restart")
	}

	// Another connection has its own limiter.
	store.Put("revoke/crm", `v1`)
	if _, _, err := cb.Client(ctx, config.Connection{Name: "crm", Provider: "probe"}, false); err != nil || b.list[2].opts.Limiter == first.Limiter {
		t.Fatalf("crm: %v; shares tools's limiter: %v", err, b.list[2].opts.Limiter == first.Limiter)
	}
}

func TestClientErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		cn     config.Connection
		secret string // "" means none stored
		check  func(error) bool
	}{
		{"missing secret", config.Connection{Name: "tools", Provider: "probe"}, "", func(err error) bool { return errors.Is(err, clients.ErrSecretMissing) }},
		{"unusable secret", config.Connection{Name: "tools", Provider: "probe"}, "bad", func(err error) bool {
			var pe *provider.Error
			return errors.As(err, &pe) && pe.Code == message.CodeConfig
		}},
		{"unknown provider", config.Connection{Name: "tools", Provider: "nope"}, "v1", func(err error) bool {
			var pe *provider.Error
			return errors.As(err, &pe) && pe.Code == message.CodeConfig && !pe.Retryable()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb, store, _ := newBuilder(t, &built{})
			if tc.secret != "" {
				store.Put("revoke/tools", tc.secret)
			}
			if _, _, err := cb.Client(ctx, tc.cn, false); err == nil || !tc.check(err) {
				t.Fatalf("err %v", err)
			}
		})
	}
}

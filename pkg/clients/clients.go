package clients

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/ratelimit"
	"github.com/revoke-dev/revoke/pkg/secrets"
)

// SecretSource reads connection secrets (*secrets.Cache is one): Refresh
// re-reads one unless it was read less than minAge ago.
type SecretSource interface {
	Get(ctx context.Context, id string) (string, error)
	Refresh(ctx context.Context, id string, minAge time.Duration) (string, error)
}

// ErrSecretMissing marks a connection secret that does not exist (a
// configuration failure, never retried).
var ErrSecretMissing = errors.New("the connection secret does not exist")

// DefaultRefreshMinAge is how recently read a secret may be and still not
// be re-read on a refusal: a burst of 401s reads it once.
const DefaultRefreshMinAge = 5 * time.Second

// Builder builds and keeps the clients of a function's connections. Build
// it once per container; safe for concurrent use.
type Builder struct {
	Config    *config.Config     // SecretID, AllowInsecureHTTP, MaxConcurrency
	Providers *registry.Registry // nil: registry.Builtin()
	Secrets   SecretSource
	HTTP      *http.Client // shared by every client; nil: rest.NewHTTPClient()
	// Observe, when set, sees every HTTP attempt of every client, with its
	// connection's provider name (metrics).
	Observe func(provider string, o rest.Observation)
	// RefreshMinAge: see DefaultRefreshMinAge (zero: that).
	RefreshMinAge time.Duration

	once  sync.Once
	mu    sync.Mutex
	conns map[string]*conn
}

// conn is what the Builder keeps per connection.
type conn struct {
	mu       sync.Mutex
	limiter  *ratelimit.Limiter
	secret   string
	client   provider.Client
	settings rest.Settings
}

func (b *Builder) init() {
	b.once.Do(func() {
		b.conns = map[string]*conn{}
		if b.Providers == nil {
			b.Providers = registry.Builtin()
		}
		if b.HTTP == nil {
			b.HTTP = rest.NewHTTPClient()
		}
	})
}

// Kind is the connection's provider kind; a provider the registry does
// not know is a permanent configuration error.
func (b *Builder) Kind(cn config.Connection) (registry.Kind, error) {
	b.init()
	k, ok := b.Providers.Kind(cn.Provider)
	if !ok {
		return registry.Kind{}, provider.Config(cn.Provider, "unknown provider (CONNECTIONS)")
	}
	return k, nil
}

// Client returns the connection's client and its secret's settings,
// rebuilt when the secret changed. refresh re-reads the secret first
// (after the provider refused the credential). A secret that does not
// exist is ErrSecretMissing; a secret the provider cannot use is a
// classified *provider.Error; other errors are Secrets Manager's.
func (b *Builder) Client(ctx context.Context, cn config.Connection, refresh bool) (provider.Client, rest.Settings, error) {
	kind, err := b.Kind(cn)
	if err != nil {
		return nil, rest.Settings{}, err
	}
	id := b.Config.SecretID(cn.Name)
	var raw string
	if refresh {
		raw, err = b.Secrets.Refresh(ctx, id, cmp.Or(b.RefreshMinAge, DefaultRefreshMinAge))
	} else {
		raw, err = b.Secrets.Get(ctx, id)
	}
	if errors.Is(err, secrets.ErrNotFound) {
		return nil, rest.Settings{}, fmt.Errorf("%w: %s", ErrSecretMissing, id)
	}
	if err != nil {
		return nil, rest.Settings{}, fmt.Errorf("clients: read secret %s: %w", id, err)
	}
	st := b.conn(cn.Name)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.client != nil && st.secret == raw {
		return st.client, st.settings, nil
	}
	o := rest.Options{HTTP: b.HTTP, AllowInsecureHTTP: b.Config.AllowInsecureHTTP, Limiter: st.limiter, Instances: b.Config.MaxConcurrency}
	if b.Observe != nil {
		prov := cn.Provider
		o.Observe = func(ob rest.Observation) { b.Observe(prov, ob) }
	}
	cl, err := kind.New([]byte(raw), o)
	if err != nil {
		return nil, rest.Settings{}, err
	}
	settings, _ := rest.ParseSettings([]byte(raw)) // the client parsed it already
	st.client, st.secret, st.settings = cl, raw, settings
	return cl, settings, nil
}

// conn is the connection's kept state, made on first use with the rate
// limiter every later client of the connection shares.
func (b *Builder) conn(name string) *conn {
	b.mu.Lock()
	defer b.mu.Unlock()
	st, ok := b.conns[name]
	if !ok {
		st = &conn{limiter: ratelimit.New(1, 1)} // the client sets its rate from the secret
		b.conns[name] = st
	}
	return st
}

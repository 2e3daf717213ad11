package consumer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/ratelimit"
	"github.com/revoke-dev/revoke/pkg/secrets"
)

// conn is what the consumer keeps per connection across invocations.
type conn struct {
	mu       sync.Mutex
	limiter  *ratelimit.Limiter
	secret   string
	client   provider.Client
	settings rest.Settings
}

// errSecretMissing marks a connection secret that does not exist.
var errSecretMissing = errors.New("the connection secret does not exist")

// processConnection settles every item of one connection: build the
// client, then each (action, dry run) group of changes; on 401/403 refresh
// the secret once and try those items again. Background reads (drift
// checks, listing pages) come after every change and its read-back, so
// they spend the connection's budget last (reads.go).
func (c *Consumer) processConnection(ctx context.Context, name string, items []*item) {
	cn, _ := c.Config.Connection(name)
	client, settings, err := c.client(ctx, cn, false)
	if err != nil {
		c.settleAll(cn, items, err)
		return
	}
	changes, reads := splitReads(items)
	c.changes(ctx, cn, client, settings, changes)
	c.reads(ctx, cn, reads)
}

// changes runs a connection's revokes and restores.
func (c *Consumer) changes(ctx context.Context, cn config.Connection, client provider.Client, settings rest.Settings, items []*item) {
	if len(items) == 0 {
		return
	}
	c.groups(ctx, client, settings, items)
	var again []*item
	for _, it := range items {
		if it.res.auth {
			again = append(again, it)
		}
	}
	if len(again) == 0 {
		return
	}
	c.Log.Warn("provider refused the credential; refreshing the secret once", "connection", cn.Name, "provider", cn.Provider(), "targets", len(again))
	var err error
	if client, settings, err = c.client(ctx, cn, true); err != nil {
		c.settleAll(cn, again, err)
		return
	}
	c.groups(ctx, client, settings, again)
	for _, it := range again {
		it.res.auth = false // a second refusal is final
	}
}

func (c *Consumer) settleAll(cn config.Connection, items []*item, err error) {
	r := secretFailure(err)
	if r.outcome == message.Retrying {
		c.Log.Error("reading the connection secret failed; its targets will be retried", "connection", cn.Name, "error", err)
	}
	for _, it := range items {
		it.res = r
	}
}

// groups runs each (action, dry run) group of a connection's items.
func (c *Consumer) groups(ctx context.Context, client provider.Client, s rest.Settings, items []*item) {
	type key struct {
		action message.Action
		dry    bool
	}
	byGroup := map[key][]*item{}
	var order []key
	for _, it := range items {
		k := key{it.msg.Action, it.msg.DryRun}
		if _, ok := byGroup[k]; !ok {
			order = append(order, k)
		}
		byGroup[k] = append(byGroup[k], it)
	}
	for _, k := range order {
		w := &work{client: client, action: k.action, dryRun: k.dry, verify: s.Verifies(), items: byGroup[k]}
		w.run(ctx)
	}
}

// client returns the connection's client, rebuilt when its secret changed.
func (c *Consumer) client(ctx context.Context, cn config.Connection, refresh bool) (provider.Client, rest.Settings, error) {
	id := c.Config.SecretID(cn.Name)
	var raw string
	var err error
	if refresh {
		minAge := c.RefreshMinAge
		if minAge == 0 {
			minAge = 5 * time.Second
		}
		raw, err = c.Secrets.Refresh(ctx, id, minAge)
	} else {
		raw, err = c.Secrets.Get(ctx, id)
	}
	if errors.Is(err, secrets.ErrNotFound) {
		return nil, rest.Settings{}, fmt.Errorf("%w: %s", errSecretMissing, id)
	}
	if err != nil {
		return nil, rest.Settings{}, err
	}
	c.mu.Lock()
	st, ok := c.conns[cn.Name]
	if !ok {
		st = &conn{limiter: ratelimit.New(1, 1)}
		c.conns[cn.Name] = st
	}
	c.mu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.client != nil && st.secret == raw {
		return st.client, st.settings, nil
	}
	cl, err := cn.Kind.New([]byte(raw), rest.Options{
		HTTP: c.HTTP, AllowInsecureHTTP: c.Config.AllowInsecureHTTP, Limiter: st.limiter,
		Instances: c.Config.MaxConcurrency, Observe: c.observe(cn.Provider()),
	})
	if err != nil {
		return nil, rest.Settings{}, err
	}
	settings, _ := rest.ParseSettings([]byte(raw)) // the client parsed it already
	st.client, st.secret, st.settings = cl, raw, settings
	return cl, settings, nil
}

func (c *Consumer) observe(prov string) func(rest.Observation) {
	return func(o rest.Observation) { c.metrics.Latency(prov, o.Duration) }
}

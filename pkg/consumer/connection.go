package consumer

import (
	"context"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

// processConnection settles every item of one connection: build the
// client, then each (action, dry run) group of changes; on 401/403 refresh
// the secret once and try those items again. Background reads (drift
// checks, listing pages) come after every change and its read-back, so
// they spend the connection's budget last (reads.go).
func (c *Consumer) processConnection(ctx context.Context, name string, items []*item) {
	cn, _ := c.Config.Connection(name)
	client, settings, err := c.clients.Client(ctx, cn, false)
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
	c.Log.Warn("provider refused the credential; refreshing the secret once", "connection", cn.Name, "provider", cn.Provider, "targets", len(again))
	var err error
	if client, settings, err = c.clients.Client(ctx, cn, true); err != nil {
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

// observe records a provider call's latency for the invocation's metrics.
func (c *Consumer) observe(prov string, o rest.Observation) { c.metrics.Latency(prov, o.Duration) }

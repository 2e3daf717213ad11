package consumer

import (
	"cmp"
	"context"
	"sync"

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
func (c *Consumer) processConnection(ctx context.Context, ph *phase, name string, items []*item) {
	cn, _ := c.Config.Connection(name)
	client, settings, err := c.clients.Client(ctx, cn, false)
	if err != nil {
		ph.done()
		c.settleAll(cn, items, err)
		return
	}
	changes, reads := splitReads(items)
	c.changes(ctx, ph, cn, client, settings, changes)
	c.reads(ctx, cn, reads)
}

// changes runs a connection's revokes and restores.
func (c *Consumer) changes(ctx context.Context, ph *phase, cn config.Connection, client provider.Client, settings rest.Settings, items []*item) {
	if len(items) == 0 {
		ph.done()
		return
	}
	c.groups(ctx, ph, cn.Name, client, settings, items)
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
	c.groups(ctx, newPhase(ctx, 0), cn.Name, client, settings, again) // after a refresh: the changes' phase is over
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

// groups runs each (action, dry run, proof) group of a connection's items
// at once: the connection's limiter serves their calls changes first, so a
// group of proofs never holds up a group of changes.
func (c *Consumer) groups(ctx context.Context, changes *phase, name string, client provider.Client, s rest.Settings, items []*item) {
	type key struct {
		action message.Action
		dry    bool
		proof  bool
	}
	byGroup := map[key][]*item{}
	var order []key
	for _, it := range items {
		k := key{it.msg.Action, it.msg.DryRun, len(it.msg.Proof) > 0}
		if _, ok := byGroup[k]; !ok {
			order = append(order, k)
		}
		byGroup[k] = append(byGroup[k], it)
	}
	changing := 0
	for _, k := range order {
		if !k.dry && !k.proof {
			changing++
		}
	}
	changes.add(changing - 1) // the connection's own count becomes its change groups'
	var wg sync.WaitGroup
	for _, k := range order {
		w := &work{client: client, action: k.action, dryRun: k.dry, verify: s.Verifies(), proof: k.proof,
			deferProof: c.deferProofs(), proofTime: cmp.Or(c.ProofTime, DefaultProofTime), items: byGroup[k], changes: changes,
			changed: func(items []*item) { c.recordChanged(ctx, items) }}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.recoverConnection(name, w.items) // a panic here would pass processConnection's recover
			w.run(ctx)
		}()
	}
	wg.Wait()
}

// observe records a provider call's latency for the invocation's metrics.
func (c *Consumer) observe(prov string, o rest.Observation) { c.metrics.Latency(prov, o.Duration) }

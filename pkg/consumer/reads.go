package consumer

import (
	"context"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/ratelimit"
)

// Background reads (docs/design.md §5): the sweep's drift checks and
// orphan-listing pages reach a provider only through the queue and the
// consumer, on the connection's own client and rate budget, after the
// batch's changes and proofs. They change nothing at a provider and are
// never recorded as a request's targets.

// backgroundRead marks ctx as carrying background reads. It is the one
// place their priority is chosen: the connection's limiter serves them
// after every ready change and proof (ratelimit.Background), in this
// process's concurrent invocations too.
func backgroundRead(ctx context.Context) context.Context {
	return ratelimit.WithPriority(ctx, ratelimit.Background)
}

// splitReads separates a connection's background reads from its changes.
func splitReads(items []*item) (changes, reads []*item) {
	for _, it := range items {
		if it.msg.Background() {
			reads = append(reads, it)
		} else {
			changes = append(changes, it)
		}
	}
	return changes, reads
}

// reads runs a connection's background reads.
func (c *Consumer) reads(ctx context.Context, cn config.Connection, items []*item) {
	if len(items) == 0 {
		return
	}
	// Asked again, not passed on from the changes: a refresh after a
	// 401/403 there rebuilt the client (a cache hit otherwise).
	client, settings, err := c.clients.Client(ctx, cn, false)
	if err != nil {
		c.settleAll(cn, items, err)
		return
	}
	ctx = backgroundRead(ctx)
	var checks []*item
	for _, it := range items {
		switch it.msg.Kind {
		case message.KindCheck:
			checks = append(checks, it)
		case message.KindList:
			c.listPages(ctx, cn, client, it)
		}
	}
	c.checks(ctx, cn, client, settings, checks)
}

// settleReads applies the rule of background reads (outcome.go, rule 5a):
// one that failed for good is logged and dropped, never dead-lettered (the
// next sweep asks again); the rest leave the queue unless retrying.
func (c *Consumer) settleReads(items []*item) {
	for _, it := range items {
		if it.msg == nil || !it.msg.Background() || it.res.outcome != message.Failed {
			continue
		}
		c.Log.Warn("a background read failed and is dropped; the next sweep asks again", "kind", it.msg.Kind, "connection", it.msg.Connection,
			"user_id", it.msg.UserID, "error_code", it.res.code, "error", it.res.errMsg)
		it.res = result{outcome: readSettled}
	}
}

// readSettled is the outcome of a background read that leaves the queue.
const readSettled = message.Done

package consumer

import (
	"context"
	"time"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/ratelimit"
)

// Changes first, proofs after (docs/design.md §4). A change the provider
// accepted is recorded at once as changed (announce). Its read-back
// follows in the same invocation at ratelimit.Proof, so it spends only
// budget that no ready change wants (proveNow): done when seen, unverified
// (retried, then dead-lettered) when not. No proof is lost if the function
// stops in between: the message leaves the queue only once its proof is
// settled, so a redelivery re-applies the change (idempotent: already)
// and proves it; with too little time left for the read-back, the target
// is retried the same way.

// DefaultProofTime is the least time left in an invocation for its
// read-backs.
const DefaultProofTime = time.Second

// verifier is the group's read-back, if the connection is read back.
func (w *work) verifier() (provider.Verifier, bool) {
	v, ok := w.client.(provider.Verifier)
	return v, ok && w.verify
}

// announce records, before any read-back, every item whose change was
// accepted on every account and whose proof is to come.
func (w *work) announce(accts []*account, want [][]int) {
	if _, ok := w.verifier(); !ok || w.changed == nil {
		return
	}
	var changed []*item
	for i, it := range w.items {
		if want[i] == nil {
			continue
		}
		r := w.aggregate(it, accts, want[i])
		if (r.outcome == message.Done || r.outcome == message.Already) && r.verified == nil {
			changed = append(changed, it)
		}
	}
	if len(changed) > 0 {
		w.changed(changed)
	}
}

// proveNow reads the changed accounts back at proof priority when time is
// left in the invocation; otherwise they are unverified (retried).
func (w *work) proveNow(ctx context.Context, accts []*account) {
	if _, ok := w.verifier(); !ok {
		return
	}
	if dl, ok := ctx.Deadline(); !ok || time.Until(dl) >= w.proofTime {
		w.readBack(ratelimit.WithPriority(ctx, ratelimit.Proof), accts)
		return
	}
	for _, a := range accts {
		if (a.out.outcome == message.Done || a.out.outcome == message.Already) && a.out.verified == nil {
			keep := a.out
			a.out = unverified("no time was left in the invocation to read the change back; retried")
			a.out.httpAttempts, a.out.status = keep.httpAttempts, keep.status
		}
	}
}

// recordChanged records items as changed at once, before their read-back:
// the ledger and an audit line. A ledger failure is only logged: the
// target's outcome is recorded when the invocation settles (rule 6).
func (c *Consumer) recordChanged(ctx context.Context, items []*item) {
	now := c.now().UTC()
	attempts := make([]ledger.Attempt, 0, len(items))
	for _, it := range items {
		shown := *it
		shown.res = result{outcome: message.Changed, resolved: it.res.resolved}
		c.audit(ctx, &shown)
		if !recordable(it) {
			continue
		}
		m := it.msg
		attempts = append(attempts, ledger.Attempt{RequestID: m.RequestID, Key: m.Target().Key(), MessageID: it.rec.MessageId,
			Outcome: message.Changed, Receive: it.receive, Redrive: it.redrive, At: now, ResolvedIDs: it.res.resolved, RequestedAt: m.RequestedAt})
	}
	if c.Ledger == nil || len(attempts) == 0 {
		return
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.ledgerBudget(ctx))
	defer cancel()
	if err := c.Ledger.RecordAttempts(lctx, attempts); err != nil {
		c.Log.Warn("recording changed targets failed; their outcome is recorded when the batch settles", "count", len(attempts), "error", err)
	}
}

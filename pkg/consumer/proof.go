package consumer

import (
	"context"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/ratelimit"
)

// Changes first, proofs after (docs/design.md §4). A change the provider
// accepted is recorded at once as changed, and its read-back travels on as
// a proof message through the same queue: no proof is lost if the
// function stops (until the proof message is sent, the change message is
// not deleted; a redelivery re-applies the change, which is idempotent,
// and queues the proof again). The proof's calls spend the connection's
// budget at ratelimit.Proof, after every ready change; a proof that does
// not see the asked state is unverified, retried, then dead-lettered.
// Without a queue to send to (no QUEUE_URL), the read-back is made in the
// same invocation, still at proof priority.

// readNow is the accounts whose read-back is made in this invocation:
// every account unless proofs are deferred; then only those of an item
// with more accounts than one proof message may name.
func (w *work) readNow(accts []*account, want [][]int) []*account {
	if !w.deferProof {
		return accts
	}
	var now []*account
	for _, idx := range want {
		if len(idx) > message.MaxProofAccounts {
			for _, j := range idx {
				now = append(now, accts[j])
			}
		}
	}
	return now
}

// defer1 turns an item whose change succeeded but whose accounts were not
// yet read into changed, naming the accounts its proof will read.
func (w *work) defer1(it *item, accts []*account, idx []int) {
	if !w.deferProof || !w.verify || it.res.verified != nil && *it.res.verified {
		return
	}
	if o := it.res.outcome; o != message.Done && o != message.Already {
		return
	}
	if _, ok := w.client.(provider.Verifier); !ok {
		return
	}
	var ids []string
	for _, j := range idx {
		if a := accts[j]; a.out.verified == nil && (a.out.outcome == message.Done || a.out.outcome == message.Already) {
			ids = append(ids, a.user.ID)
		}
	}
	if len(ids) == 0 || len(ids) > message.MaxProofAccounts {
		return
	}
	it.res.proofOf, it.res.outcome, it.res.proof = it.res.outcome, message.Changed, ids
}

// runProof reads back the accounts of proof messages, in one Verify call
// for the group, at proof priority: seen in the asked state is the change's
// outcome (done or already), verified; anything else is readBack's.
func (w *work) runProof(ctx context.Context) {
	var accts []*account
	index := map[string]int{}
	want := make([][]int, len(w.items))
	for i, it := range w.items {
		for _, id := range it.msg.Proof {
			j, ok := index[id]
			if !ok {
				j = len(accts)
				index[id] = j
				accts = append(accts, &account{user: provider.User{ID: id}, out: result{outcome: it.msg.ProofOf}})
			}
			want[i] = append(want[i], j)
		}
		if it.msg.Email != "" {
			it.res.resolved = it.msg.Proof // the evidence keeps naming the accounts
		}
	}
	w.readBack(ratelimit.WithPriority(ctx, ratelimit.Proof), accts)
	for i, it := range w.items {
		it.res = w.aggregate(it, accts, want[i])
	}
}

// deferProofs reports whether read-backs travel as proof messages.
func (c *Consumer) deferProofs() bool { return c.Proofs != nil && c.Config.QueueURL != "" }

// queueProofs sends the proof message of every changed item (rule 7 of
// settle). A proof that cannot be sent makes its change message a retry:
// SQS keeps it, and the redelivery queues the proof again.
func (c *Consumer) queueProofs(ctx context.Context, items []*item) {
	var changed []*item
	var out []queue.Outgoing
	for _, it := range items {
		if it.res.outcome != message.Changed {
			continue
		}
		m := *it.msg
		m.Proof, m.ProofOf = it.res.proof, it.res.proofOf
		body, err := m.Encode()
		if err != nil {
			c.proofUnsent(it)
			continue
		}
		changed = append(changed, it)
		out = append(out, queue.Outgoing{Body: body})
	}
	if len(out) == 0 {
		return
	}
	sctx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		sctx, cancel = context.WithDeadline(ctx, dl.Add(-200*time.Millisecond))
		defer cancel()
	}
	unsent, err := queue.SendAll(sctx, c.Proofs, c.Config.QueueURL, out, queue.DefaultPolicy)
	for _, i := range unsent {
		c.proofUnsent(changed[i])
	}
	if len(unsent) > 0 {
		c.Log.Error("queuing read-backs failed; their changes will be retried", "count", len(unsent), "error", err)
	}
}

func (c *Consumer) proofUnsent(it *item) {
	it.res = result{outcome: message.Retrying, code: message.CodeUnavailable, status: it.res.status, httpAttempts: it.res.httpAttempts,
		errMsg: "the change was made but its read-back could not be queued; retried (the change is idempotent)"}
}

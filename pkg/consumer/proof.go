package consumer

import (
	"context"
	"strconv"
	"time"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/ratelimit"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// Changes first, proofs after (docs/design.md §4). A change the provider
// accepted leaves its target changed until its read-back settles it. The
// read-back follows in the same invocation at ratelimit.Proof, so it
// spends only budget no ready change wants, while the batch's change work
// runs (prove, proveNow, phase.go). One not made by then travels on as a
// proof message through the same queue (defer1, queueProofs), read by
// whichever process gets it, and its target is recorded as changed at
// that moment. No proof is lost if the function stops: the change message
// is deleted only once its proof is made or queued; a redelivery
// re-applies the change (idempotent) and proves it. A proof that does not
// see the asked state is unverified: retried, then dead-lettered; a proof
// message that sees the account unchanged makes the change again first
// (changeAgain), since its retries only read.

// DefaultProofTime is the least time left in an invocation for its
// read-backs to be made there rather than queued.
const DefaultProofTime = time.Second

// verifier is the group's read-back, if the connection is read back.
func (w *work) verifier() (provider.Verifier, bool) {
	v, ok := w.client.(provider.Verifier)
	return v, ok && w.verify
}

// changedItems are the items whose change was accepted on every account
// and whose proof is still to come.
func (w *work) changedItems(accts []*account, want [][]int) []*item {
	if _, ok := w.verifier(); !ok {
		return nil
	}
	var changed []*item
	for i, it := range w.items {
		if want[i] == nil {
			continue
		}
		r := w.aggregate(it, accts, want[i])
		if r.awaitsProof() {
			changed = append(changed, it)
		}
	}
	return changed
}

// prove records the changed items and reads their accounts back. Without
// proof messages the record comes first, at once. With them, the batch's
// change work sets the pace: a proof made while it runs settles its target
// directly (one ledger write, not two); the targets still unproven when it
// is over are recorded as changed then, and their reads that had not
// started travel as proof messages (defer1).
func (w *work) prove(ctx context.Context, accts []*account, want [][]int) {
	changed := w.changedItems(accts, want)
	if !w.deferProof {
		if len(changed) > 0 {
			w.changed(changed)
		}
		w.proveNow(ctx, accts)
		return
	}
	if w.changes.over().Err() != nil {
		// The batch's change work is already over (this group's was the
		// last): no read starts, every proof travels as a message. Decided
		// here, not by racing the read against the phase's cancellation.
		if len(changed) > 0 {
			w.changed(changed)
		}
		return
	}
	read := make(chan struct{})
	announced := make(chan struct{})
	go func() {
		defer close(announced)
		select {
		case <-read:
		case <-w.changes.over().Done():
			if len(changed) > 0 {
				w.changed(changed)
			}
		}
	}()
	w.proveNow(ctx, accts)
	close(read)
	<-announced
}

// proveNow reads the changed accounts back at proof priority when time is
// left in the invocation, until the batch's change work is over when proofs
// can be deferred; otherwise they stay unread for defer1, or, when no proof
// can be queued, are unverified (retried).
func (w *work) proveNow(ctx context.Context, accts []*account) {
	if _, ok := w.verifier(); !ok {
		return
	}
	if dl, ok := ctx.Deadline(); !ok || time.Until(dl) >= w.proofTime {
		pctx := ratelimit.WithPriority(ctx, ratelimit.Proof)
		if w.deferProof {
			// What the invocation's change work leaves no time for is
			// proven later, through a proof message.
			var stop context.CancelFunc
			pctx, stop = context.WithCancel(pctx)
			defer context.AfterFunc(w.changes.over(), stop)()
			defer stop()
		}
		w.readBack(pctx, accts)
		return
	}
	if w.deferProof {
		return
	}
	for _, a := range accts {
		if a.out.awaitsProof() {
			keep := a.out
			a.out = unverified("no time was left in the invocation to read the change back")
			a.out.httpAttempts, a.out.status = keep.httpAttempts, keep.status
		}
	}
}

// defer1 turns an item whose change succeeded but whose accounts were not
// read into changed, naming the accounts its proof message will read.
func (w *work) defer1(it *item, accts []*account, idx []int) {
	if !w.deferProof || !it.res.awaitsProof() {
		return
	}
	if _, ok := w.verifier(); !ok {
		return
	}
	var ids []string
	for _, j := range idx {
		if a := accts[j]; a.out.awaitsProof() {
			ids = append(ids, a.user.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	if len(ids) > message.MaxProofAccounts {
		it.res = unverified("too many accounts to prove in one proof message; the change is retried")
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
				accts = append(accts, &account{user: provider.User{ID: id, Wipe: it.msg.Wipe}, out: result{outcome: it.msg.ProofOf}})
			}
			want[i] = append(want[i], j)
		}
		if it.msg.Email != "" {
			it.res.resolved = it.msg.Proof // the evidence keeps naming the accounts
		}
	}
	w.readBack(ratelimit.WithPriority(ctx, ratelimit.Proof), accts)
	w.changeAgain(ctx, accts)
	for i, it := range w.items {
		it.res = w.aggregate(it, accts, want[i])
	}
}

// changeAgain makes the change once more, at change priority, on every
// account a proof showed not in the asked state. A proof message only
// reads: without this its retries would re-read an account no one changes
// again, and the revocation would end in the DLQ unmade. The change is
// idempotent; the account stays unverified (retried), so the proof
// message's next delivery reads it again.
func (w *work) changeAgain(ctx context.Context, accts []*account) {
	var users []provider.User
	var todo []*account
	for _, a := range accts {
		if a.unchanged {
			users = append(users, a.user)
			todo = append(todo, a)
		}
	}
	if len(users) == 0 {
		return
	}
	for k, r := range provider.Apply(ratelimit.WithPriority(ctx, ratelimit.Change), w.client, w.action, users) {
		if r.Outcome == provider.Failed { // the change itself now fails: that is the outcome
			todo[k].out = failure(r.Err, r.Attempts)
		}
	}
}

// deferProofs reports whether read-backs travel as proof messages.
func (c *Consumer) deferProofs() bool { return c.Proofs != nil && c.Config.QueueURL != "" }

// queueProofs sends the proof message of every changed item (rule 7 of
// settle). A proof that cannot be sent makes its change message a retry:
// SQS keeps it, and the redelivery queues the proof again; on the last
// delivery it is exhausted, for the DLQ.
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
		out = append(out, queue.Outgoing{Body: body, Attributes: proofAttributes(it)})
	}
	if len(out) == 0 {
		return
	}
	sctx, cancel := sendWindow(ctx)
	defer cancel()
	unsent, err := queue.SendAll(sctx, c.Proofs, c.Config.QueueURL, out, retry.AWS)
	for _, i := range unsent {
		c.proofUnsent(changed[i])
	}
	if len(unsent) > 0 {
		c.Log.Error("queuing read-backs failed; their changes will be retried", "count", len(unsent), "error", err)
	}
}

// proofAttributes carry the change's redrive_count to its proof, so the
// ledger orders the proof's outcome after every attempt of the change
// (ledger.Fold: a later re-drive wins), not before a failure the re-drive
// recovered from.
func proofAttributes(it *item) map[string]string {
	if it.redrive <= 0 {
		return nil
	}
	return map[string]string{message.AttrRedriveCount: strconv.Itoa(it.redrive)}
}

func (c *Consumer) proofUnsent(it *item) {
	it.res = result{outcome: message.Retrying, code: message.CodeUnavailable, status: it.res.status, httpAttempts: it.res.httpAttempts,
		errMsg: "the change was made but its read-back could not be queued; retried (the change is idempotent)"}
	c.exhaust(it) // on the last delivery, to the DLQ with the reason (rule 8), as SQS would move it without one
}

// recordChanged records items as changed at once, before their read-back:
// the ledger and an audit line. A ledger failure is only logged: the
// target's outcome is recorded when the invocation settles (rule 6).
func (c *Consumer) recordChanged(ctx context.Context, items []*item) {
	now := c.now().UTC()
	attempts := make([]ledger.Attempt, 0, len(items))
	var recorded []*item
	for _, it := range items {
		if !recordable(it) {
			continue
		}
		attempts = append(attempts, it.attempt(result{outcome: message.Changed, resolved: it.res.resolved}, now))
		recorded = append(recorded, it)
	}
	stored := true
	if c.Ledger != nil && len(attempts) > 0 {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.ledgerBudget(ctx))
		defer cancel()
		links, err := c.Ledger.AppendAttempts(lctx, attempts)
		if err != nil {
			c.Log.Warn("recording changed targets failed; their outcome is recorded when the batch settles", "count", len(attempts), "error", err)
			stored = false
		}
		for i, l := range links {
			recorded[i].changedLink = l
		}
	}
	// The audit lines after the write, so each carries its link
	// (chain_seq, chain_hash) like an outcome's: the logs keep every link.
	for _, it := range items {
		shown := *it
		shown.res, shown.link = result{outcome: message.Changed, resolved: it.res.resolved}, it.changedLink
		c.audit(ctx, &shown)
		it.announced = stored
	}
}

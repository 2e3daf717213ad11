package consumer

import (
	"context"
	"strconv"

	"github.com/revoke-dev/revoke/pkg/message"
)

// Where a target's outcome is decided, in order. Each rule may overrule
// the ones before it; the functions named here are the only places an
// outcome is set:
//
//  1. decode (result.go): a malformed body is failed/invalid, a message for
//     a connection that is not configured (or for another provider) is
//     failed/config.
//  2. the connection's secret (connection.go): a secret that cannot be read
//     is retrying/unavailable, a malformed or missing one failed/config.
//  3. the provider (work.go): the look-up, the change and the read-back of
//     each account, folded per target by aggregate: a retryable failure
//     wins, then a permanent one, then not found; done only when every
//     account was seen in the asked state, or cannot be read (no Verifier,
//     or verify: false); a read-back refused with 401/403 is failed
//     unverified (readBack). A call the deadline stopped is retryable. A
//     401/403 anywhere is tried once more after one secret refresh
//     (processConnection).
//     3a. a change accepted whose read-back was not made while the batch's
//     changes ran becomes changed, naming the accounts its proof message
//     will read; more accounts than one proof message may name makes it
//     unverified, retried (defer1, proof.go). A proof message's outcome is
//     its read-back's, after the change is made again on an account seen
//     unchanged (runProof, changeAgain).
//  4. a panic while processing a connection: its unsettled targets are
//     retrying (recoverConnection).
//
// Then settle applies the batch's rules:
//
//  5. the last delivery: a target still retrying becomes failed/exhausted,
//     carrying its last code as last_error_code (exhaust).
//     5a. background reads (reads.go): a drift check or listing page that
//     failed for good is logged and dropped, never dead-lettered, and no
//     background read is recorded as a target or audited as one: what it
//     found is recorded by its own rule (drift.go, listing.go).
//  6. the ledger: every outcome is recorded before anything leaves the
//     queue. If the ledger refuses, nothing is lost: before the last
//     delivery every target is retried, so the next delivery records it
//     (nothing is sent to the DLQ, so no DLQ send is ever repeated); on the
//     last delivery every target goes to the DLQ as exhausted with
//     last_error_code unavailable, where the sweep's re-drive brings it
//     back to be recorded (unrecorded).
//  7. the proof: a changed target (its change accepted, its read-back to
//     come, proof.go) has its proof message queued; one that cannot be
//     queued is retrying, so SQS keeps the change message, or, on the last
//     delivery, failed/exhausted for the DLQ (queueProofs).
//  8. the DLQ: a failed target is sent with its reason; one that cannot be
//     sent (or no DLQ_URL) is retrying, so SQS keeps it (deadLetter). Its
//     ledger record says failed until the redelivery's outcome, a later
//     attempt, follows.
//  9. the response: retrying is a batch item failure (SQS delivers it
//     again); every other outcome is deleted from the queue (Handle).
func (c *Consumer) settle(ctx context.Context, items []*item) {
	for _, it := range items {
		c.exhaust(it)
	}
	c.settleReads(items)
	if err := c.record(ctx, items); err != nil {
		c.unrecorded(items, err)
	}
	c.queueProofs(ctx, items)
	c.deadLetter(ctx, items)
}

// lastDelivery reports whether SQS will not deliver the item again.
func (c *Consumer) lastDelivery(it *item) bool {
	return it.receive > 0 && it.receive >= c.Config.MaxReceiveCount
}

// exhaust moves a target that still fails transiently on its last allowed
// delivery to the DLQ itself, with its last error, instead of leaving it to
// SQS's redrive (which records no reason).
func (c *Consumer) exhaust(it *item) {
	if it.res.outcome != message.Retrying || !c.lastDelivery(it) {
		return
	}
	last := string(it.res.code)
	if it.res.errMsg != "" {
		last += ": " + it.res.errMsg
	}
	it.res.outcome, it.res.last, it.res.code = message.Failed, it.res.code, message.CodeExhausted
	it.res.errMsg = "still failing on the last delivery (" + strconv.Itoa(it.receive) + "); last error: " + last
}

// unrecorded keeps every target whose outcome the ledger refused (rule 6).
func (c *Consumer) unrecorded(items []*item, err error) {
	retried, dead := 0, 0
	for _, it := range items {
		if !recordable(it) {
			continue
		}
		was := string(it.res.outcome)
		if it.res.code != "" {
			was += " (" + string(it.res.code) + ")"
		}
		if c.lastDelivery(it) {
			it.res = result{outcome: message.Failed, code: message.CodeExhausted, last: message.CodeUnavailable, status: it.res.status,
				httpAttempts: it.res.httpAttempts, errMsg: "the ledger could not record the outcome on the last delivery (" + was + "); kept for the sweep to re-drive"}
			dead++
			continue
		}
		it.res = result{outcome: message.Retrying, code: message.CodeUnavailable, status: it.res.status, httpAttempts: it.res.httpAttempts,
			errMsg: "the ledger could not record the outcome (" + was + "); retried to record it"}
		retried++
	}
	c.Log.Error("recording outcomes in the ledger failed; every target is kept", "retried", retried, "dead_lettered", dead, "error", err)
}

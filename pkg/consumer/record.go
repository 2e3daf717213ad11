package consumer

import (
	"context"
	"time"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// record appends every target's outcome to the ledger in batched writes.
// When the ledger cannot take them, a target that succeeded is retried (so
// its record is written on the next delivery), except on its last
// delivery, where the audit log line stays its only record.
func (c *Consumer) record(ctx context.Context, items []*item) {
	if c.Ledger == nil {
		return
	}
	var attempts []ledger.Attempt
	var recorded []*item
	now := c.now().UTC()
	for _, it := range items {
		m := it.msg
		if m == nil || !message.IsID(m.RequestID) || m.Connection == "" || (m.UserID == "" && m.Email == "") {
			continue // a malformed body names no target: the DLQ holds it
		}
		attempts = append(attempts, ledger.Attempt{
			RequestID: m.RequestID, Key: m.Target().Key(), MessageID: it.rec.MessageId, Outcome: it.res.outcome,
			Code: it.res.code, Message: it.res.errMsg, HTTPStatus: it.res.status, Receive: it.receive, Redrive: it.redrive,
			Verified: it.res.verified, At: now, ResolvedIDs: it.res.resolved, Email: it.res.email, RequestedAt: m.RequestedAt,
		})
		recorded = append(recorded, it)
	}
	if len(attempts) == 0 {
		return
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.ledgerBudget(ctx))
	defer cancel()
	err := c.Ledger.RecordAttempts(lctx, attempts)
	if err == nil {
		return
	}
	retried := 0
	for _, it := range recorded {
		if it.res.outcome.Succeeded() && it.receive < c.Config.MaxReceiveCount {
			it.res = result{outcome: message.Retrying, code: message.CodeUnavailable, errMsg: "the ledger could not record the outcome; retried to record it"}
			retried++
		}
	}
	c.Log.Error("recording outcomes in the ledger failed", "targets", len(attempts), "retried", retried, "error", err)
}

// ledgerBudget is the time left for the ledger write before the deadline.
func (c *Consumer) ledgerBudget(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return max(time.Until(dl)-300*time.Millisecond, 100*time.Millisecond)
	}
	return 10 * time.Second
}

func (c *Consumer) audit(ctx context.Context, it *item) {
	r := audit.Record{
		MessageID: it.rec.MessageId, Outcome: it.res.outcome, ErrorCode: it.res.code, Error: it.res.errMsg,
		HTTPStatus: it.res.status, HTTPAttempts: it.res.httpAttempts, Attempt: it.receive, Duration: c.now().Sub(it.start),
		Verified: it.res.verified,
	}
	prov := "unknown"
	if m := it.msg; m != nil {
		r.RequestID, r.Connection, r.Provider, r.UserID, r.Email, r.Action, r.Source, r.Actor, r.Reason, r.DryRun =
			m.RequestID, m.Connection, m.Provider, m.UserID, m.Email, m.Action, m.Source, m.Actor, m.Reason, m.DryRun
		if m.Provider != "" {
			prov = m.Provider
		}
	}
	r.Log(ctx, c.Log)
	c.metrics.Count(prov, string(it.res.outcome), 1)
	if c.OnOutcome != nil {
		c.OnOutcome(r)
	}
}

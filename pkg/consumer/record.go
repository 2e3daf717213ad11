package consumer

import (
	"context"
	"time"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// record appends every recordable target's outcome to the ledger in
// batched writes (rule 6 of settle).
func (c *Consumer) record(ctx context.Context, items []*item) error {
	if c.Ledger == nil {
		return nil
	}
	var attempts []ledger.Attempt
	var recorded []*item
	var extra []ledger.Mark
	var known []ledger.Known // heads this invocation wrote (recordChanged): not read again
	now := c.now().UTC()
	for _, it := range items {
		if !recordable(it) {
			continue // a malformed body names no target: the DLQ holds it
		}
		if it.announced && it.res.outcome == message.Changed {
			continue // recorded when it changed
		}
		m := it.msg
		if it.res.refused != "" {
			c.Log.Warn("a provider showed an address that is not a valid email; not kept", "request_id", m.RequestID,
				"connection", m.Connection, "user_id", m.UserID, "shown", it.res.refused)
		}
		a := it.attempt(it.res, now)
		ids := marked(it)
		if len(ids) > 0 {
			a.Mark = &ledger.MarkRef{Connection: m.Connection, UserID: ids[0], Action: m.Action}
		}
		for _, id := range ids[min(1, len(ids)):] {
			extra = append(extra, ledger.Mark{Connection: m.Connection, UserID: id, Action: m.Action, RequestID: m.RequestID, Key: m.Key(), At: m.RequestedAt})
		}
		attempts = append(attempts, a)
		recorded = append(recorded, it)
		if it.changedLink.Seq > 0 {
			known = append(known, ledger.Known{RequestID: m.RequestID, Key: m.Key(), Link: it.changedLink})
		}
	}
	if len(attempts) == 0 {
		return nil
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.ledgerBudget(ctx))
	defer cancel()
	links, err := c.Ledger.AppendAttempts(lctx, attempts, known...)
	for i, l := range links {
		recorded[i].link = l
	}
	if err != nil {
		return err
	}
	return c.Ledger.PutMarks(lctx, extra)
}

// attempt is the ledger's record of this delivery of it with result r.
func (it *item) attempt(r result, at time.Time) ledger.Attempt {
	m := it.msg
	return ledger.Attempt{
		RequestID: m.RequestID, Key: m.Key(), MessageID: it.rec.MessageId, Outcome: r.outcome,
		Code: r.code, Message: r.errMsg, HTTPStatus: r.status, Receive: it.receive, Redrive: it.redrive,
		Verified: r.verified, At: at, ResolvedIDs: r.resolved, Shown: r.shown, RequestedAt: m.RequestedAt,
	}
}

// marked are the accounts an item revoked or restored for good (done or
// already, not a dry run): its attempt marks the first (the drift check
// re-reads exactly the revoked ones, and a restore through revoke after a
// revocation is not drift); an email target's other accounts get marks of
// their own.
func marked(it *item) []string {
	m := it.msg
	if m.DryRun || (it.res.outcome != message.Done && it.res.outcome != message.Already) {
		return nil
	}
	ids := it.res.resolved
	if m.UserID != "" {
		ids = []string{m.UserID}
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if message.CheckUserID(id) == nil {
			out = append(out, id)
		}
	}
	return out
}

// recordable reports whether an item names a target the ledger can hold.
func recordable(it *item) bool {
	m := it.msg
	return m != nil && !m.Background() && message.IsID(m.RequestID) && m.Connection != "" && (m.UserID != "" || m.Email != "")
}

// ledgerBudget is the time left for the ledger write before the deadline.
func (c *Consumer) ledgerBudget(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return max(time.Until(dl)-300*time.Millisecond, 100*time.Millisecond)
	}
	return 10 * time.Second
}

func (c *Consumer) audit(ctx context.Context, it *item) {
	if it.msg != nil && it.msg.Background() {
		return // logged by its own rule (drift.go, listing.go)
	}
	r := audit.Record{
		MessageID: it.rec.MessageId, Outcome: it.res.outcome, ErrorCode: it.res.code, Error: it.res.errMsg,
		HTTPStatus: it.res.status, HTTPAttempts: it.res.httpAttempts, Attempt: it.receive, Duration: c.now().Sub(it.start),
		Verified: it.res.verified, ChainSeq: it.link.Seq, ChainHash: it.link.Hash,
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

package sweep

import (
	"context"
	"time"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// maxDriftChecks bounds the accounts one connection's drift check queues
// in one run.
const maxDriftChecks = 100_000

// DriftResult reports one connection's drift check.
type DriftResult struct {
	Connection string `json:"connection"`
	Provider   string `json:"provider"`
	Status     string `json:"status"`
	Queued     int    `json:"queued"` // re-reads queued for the consumer
	Error      string `json:"error,omitempty"`
}

// drift queues one check message per account revoke revoked within the
// window (its latest change through revoke a revoke) on every connection
// whose provider can show an account's state. The sweep never reads a
// provider itself: the consumer reads the accounts back on the
// connection's budget, after changes and proofs, and decides what is
// drift.
func (s *Sweeper) drift(work context.Context, runID string, dryRun bool, in Drift) []DriftResult {
	days := in.Days
	if days == 0 {
		days = DefaultDriftDays
	}
	since := s.now().Add(-time.Duration(days) * 24 * time.Hour)
	out := make([]DriftResult, 0, len(s.Config.Connections))
	for _, cn := range s.Config.Connections {
		r := DriftResult{Connection: cn.Name, Provider: cn.Provider, Status: StatusOK}
		if kind, err := s.clients.Kind(cn); err != nil || !kind.Can(registry.Verify) {
			r.Status, r.Error = StatusUnsupported, cn.Provider+" cannot show an account's state: drift cannot be checked"
		} else {
			s.driftChecks(work, runID, dryRun, cn, since, &r)
		}
		s.Log.Info("sweep: drift check", "connection", cn.Name, "status", r.Status, "queued", r.Queued, "error", r.Error)
		out = append(out, r)
	}
	return out
}

func (s *Sweeper) driftChecks(work context.Context, runID string, dryRun bool, cn config.Connection, since time.Time, r *DriftResult) {
	now := s.now()
	for cursor := ""; ; {
		marks, next, err := s.Ledger.RevokedPage(work, cn.Name, since, cursor, 0)
		if err != nil {
			r.Status, r.Error = StatusIncomplete, "reading revoked accounts failed; the next run checks again"
			return
		}
		msgs := make([]queue.Outgoing, 0, len(marks))
		for _, m := range marks {
			msg := message.NewCheck(runID, cn.Name, cn.Provider, m.UserID, dryRun, now)
			body, err := msg.Encode()
			if err != nil {
				continue
			}
			msgs = append(msgs, queue.Outgoing{Body: body})
		}
		unsent, _ := queue.SendAll(work, s.Queue, s.Config.QueueURL, msgs, retry.AWS)
		r.Queued += len(msgs) - len(unsent)
		if len(unsent) > 0 {
			r.Status, r.Error = StatusIncomplete, "the queue refused some checks; the next run checks again"
			return
		}
		if next == "" {
			return
		}
		if r.Queued >= maxDriftChecks || work.Err() != nil {
			r.Status, r.Error = StatusIncomplete, "stopped at the deadline or the cap; the next run checks again"
			return
		}
		cursor = next
	}
}

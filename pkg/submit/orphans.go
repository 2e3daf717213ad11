package submit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/retry"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/request"
)

// ErrNoReport means the connection has no orphan report yet.
var ErrNoReport = errors.New("submit: the connection has no orphan report yet")

// ErrTooManyOrphans means the report lists more orphans than one request
// may hold (MAX_TARGETS).
var ErrTooManyOrphans = errors.New("submit: more orphans than MAX_TARGETS")

// QueueListing queues the next page of listing id of a connection (a
// background read, docs/design.md §5): the sweep queues a listing's first
// page, the consumer each next one.
func (s *Submitter) QueueListing(ctx context.Context, cn config.Connection, id string, at time.Time) error {
	m := message.NewList(id, cn.Name, cn.Provider, at)
	body, err := m.Encode()
	if err != nil {
		return err
	}
	if unsent, err := queue.SendAll(ctx, s.Queue, s.Config.QueueURL, []queue.Outgoing{{Body: body}}, retry.AWS); len(unsent) > 0 {
		return err
	}
	return nil
}

// RevokeOrphans makes one normal request (source "orphans") of exactly the
// accounts the connection's report lists as orphan at this moment
// (excepted accounts never), by user id with the listed address kept for
// the person's history. The API's POST /orphans/revoke and the sweep under
// a connection's orphans: revoke both call it. A report without orphans
// makes no request (Accepted 0).
func (s *Submitter) RevokeOrphans(ctx context.Context, connection, reason, actor string, dryRun bool) (Receipt, error) {
	rep, err := s.Ledger.Orphans(ctx, connection)
	if err != nil {
		return Receipt{}, &UnavailableError{Stage: "ledger", Err: err}
	}
	if rep == nil {
		return Receipt{}, ErrNoReport
	}
	if rep.Orphans > s.Config.MaxTargets {
		return Receipt{}, fmt.Errorf("%w (%d orphans, MAX_TARGETS %d)", ErrTooManyOrphans, rep.Orphans, s.Config.MaxTargets)
	}
	var targets []message.Target
	for cursor := ""; ; {
		page, next, err := s.Ledger.OrphanPage(ctx, rep, cursor, 1000)
		if err != nil {
			return Receipt{}, &UnavailableError{Stage: "ledger", Err: err}
		}
		for _, o := range page {
			if o.Status == ledger.StatusOrphan {
				targets = append(targets, message.Target{Connection: connection, UserID: o.UserID, Email: o.Email})
			}
		}
		if next == "" || len(targets) > s.Config.MaxTargets {
			break
		}
		cursor = next
	}
	if len(targets) > s.Config.MaxTargets {
		return Receipt{}, fmt.Errorf("%w (MAX_TARGETS %d)", ErrTooManyOrphans, s.Config.MaxTargets)
	}
	if len(targets) == 0 {
		return Receipt{}, nil
	}
	if reason == "" {
		reason = "orphaned account: in no directory (listed " + rep.ListedAt.UTC().Format("2006-01-02T15:04:05Z") + ")"
	}
	req := &request.Request{Action: message.Revoke, Reason: reason, Targets: targets, DryRun: dryRun}
	if err := req.Check(); err != nil {
		return Receipt{}, err
	}
	return s.Submit(ctx, Submission{Request: req, Source: message.SourceOrphans, Actor: actor})
}

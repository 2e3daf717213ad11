package sweep

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/revoke-dev/revoke/pkg/clients"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// Statuses of an inactive-account sweep and a snapshot.
const (
	StatusOK          = "ok"
	StatusUnsupported = "unsupported"
	StatusIncomplete  = "incomplete" // stopped at the deadline or a cap: the next run continues
	StatusError       = "error"
)

// maxFound bounds the accounts one connection may enqueue in one run.
const maxFound = 50_000

// InactiveResult reports one inactive-account sweep.
type InactiveResult struct {
	Connection      string `json:"connection"`
	Provider        string `json:"provider,omitempty"`
	Status          string `json:"status"`
	Listed          int    `json:"listed"`
	AlreadyDisabled int    `json:"already_disabled"`
	Found           int    `json:"found"`
	Enqueued        int    `json:"enqueued"` // in a dry run: 0
	Skipped         int    `json:"skipped"`  // ids revoke cannot address safely
	RequestID       string `json:"request_id,omitempty"`
	Error           string `json:"error,omitempty"`
}

// inactive lists within work's deadline and makes one request (source
// sweep) of what it found within ctx's (the invocation's), so what a
// listing found before the deadline is not lost to it.
func (s *Sweeper) inactive(ctx, work context.Context, dryRun bool, e Inactive) InactiveResult {
	r := InactiveResult{Connection: e.Connection, Status: StatusOK}
	cn, ok := s.Config.Connection(e.Connection)
	if !ok {
		r.Status, r.Error = StatusError, "connection is not configured (CONNECTIONS)"
		return r
	}
	r.Provider = cn.Provider
	kind, err := s.clients.Kind(cn)
	if err != nil {
		r.Status, r.Error = StatusError, provider.As(err).Error()
		return r
	}
	q, reason, err := query(kind, e, s.now())
	if err != nil {
		r.Status, r.Error = StatusUnsupported, err.Error()
		return r
	}
	if !kind.Can(registry.List) {
		r.Status, r.Error = StatusUnsupported, provider.Permanent("sweep", message.CodeUnsupported, cn.Provider+" has no user listing API; inactive sweeps need a provider that can list users").Error()
		return r
	}
	lister, err := s.lister(work, cn, false)
	if err != nil {
		r.Status, r.Error = StatusError, provider.As(err).Error()
		if provider.As(err).Code == message.CodeUnsupported {
			r.Status = StatusUnsupported
		}
		return r
	}
	targets := s.collect(work, refreshing{s: s, cn: cn, lister: lister}, q, e, &r)
	if dryRun || len(targets) == 0 {
		return r
	}
	req := &request.Request{Action: message.Revoke, Reason: reason, Targets: targets}
	rcpt, err := s.Submit.Submit(ctx, submit.Submission{Request: req, Source: message.SourceSweep, Actor: string(message.SourceSweep)})
	r.RequestID = rcpt.RequestID
	r.Enqueued = rcpt.Accepted
	var ue *submit.UnavailableError
	if errors.As(err, &ue) {
		r.Enqueued = len(ue.Queued)
		r.Status, r.Error = StatusIncomplete, fmt.Sprintf("%d revocations could not be queued; the next run finds them again", len(ue.Missing))
		s.Log.Error("sweep: request", "connection", cn.Name, "error", err)
	} else if err != nil {
		r.Status, r.Error = StatusError, err.Error()
	}
	return r
}

// lister builds the connection's client (through the one client builder:
// the connection's rate limiter, the Observe hook), on a refreshed secret
// when refresh is set.
func (s *Sweeper) lister(ctx context.Context, cn config.Connection, refresh bool) (provider.Lister, error) {
	client, _, err := s.clients.Client(ctx, cn, refresh)
	if err != nil {
		if pe := (*provider.Error)(nil); !errors.As(err, &pe) {
			s.Log.Error("sweep: secret", "connection", cn.Name, "error", err)
		}
		return nil, clients.Classify("sweep", err)
	}
	lister, ok := client.(provider.Lister)
	if !ok {
		return nil, provider.Permanent("sweep", message.CodeUnsupported, cn.Provider+" has no user listing API")
	}
	return lister, nil
}

// refreshing lists with a connection's client; when the provider refuses
// the credential (401/403) before any account was listed, it refreshes the
// secret once and lists again, as the consumer does.
type refreshing struct {
	s      *Sweeper
	cn     config.Connection
	lister provider.Lister
}

func (l refreshing) List(ctx context.Context, q provider.ListQuery, fn func(provider.Account) bool) error {
	listed := false
	err := l.lister.List(ctx, q, func(a provider.Account) bool {
		listed = true
		return fn(a)
	})
	if listed || !provider.IsAuth(err) {
		return err
	}
	l.s.Log.Warn("provider refused the credential; refreshing the secret once", "connection", l.cn.Name, "provider", l.cn.Provider)
	again, err := l.s.lister(ctx, l.cn, true)
	if err != nil {
		return err
	}
	return again.List(ctx, q, fn)
}

// collect lists accounts and returns the targets of the inactive ones.
func (s *Sweeper) collect(ctx context.Context, lister provider.Lister, q provider.ListQuery, e Inactive, r *InactiveResult) []message.Target {
	var targets []message.Target
	capped := false
	err := lister.List(ctx, q, func(a provider.Account) bool {
		r.Listed++
		switch {
		case a.Disabled:
			r.AlreadyDisabled++
			return true
		case !q.Inactive(a): // the provider's filter, checked again
			return true
		case message.CheckUserID(a.ID) != nil:
			r.Skipped++
			return true
		}
		r.Found++
		t := message.Target{Connection: e.Connection, UserID: a.ID}
		if message.CheckEmail(a.Email) == nil {
			t.Email = a.Email
		}
		targets = append(targets, t)
		capped = r.Found >= maxFound
		return !capped
	})
	if err != nil {
		r.Status = StatusIncomplete
		if pe := provider.As(err); !pe.Retryable() {
			r.Status = StatusError
		}
		r.Error = "listing stopped: " + provider.As(err).Error()
	}
	if capped {
		r.Status, r.Error = StatusIncomplete, fmt.Sprintf("stopped after %d accounts; the next run continues", maxFound)
	}
	return targets
}

// query turns an entry into a listing query and the reason recorded on
// each revocation. The provider writes its own syntax for InactiveSince;
// a where clause is passed only to a provider that takes one.
func query(kind registry.Kind, e Inactive, now time.Time) (provider.ListQuery, string, error) {
	switch {
	case e.Where != "" && !kind.Can(registry.Where):
		return provider.ListQuery{}, "", fmt.Errorf("where is supported only for providers with a where filter; use days for %s", kind.Name)
	case e.Where != "":
		return provider.ListQuery{Where: e.Where}, message.Trim("sweep: where "+e.Where, message.MaxReasonChars), nil
	}
	return provider.ListQuery{InactiveSince: now.AddDate(0, 0, -e.Days)}, fmt.Sprintf("sweep: inactive %d days", e.Days), nil
}

package sweep

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/connector"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// Statuses of an inactive-account sweep.
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
	Error           string `json:"error,omitempty"`
}

// inactive lists within work's deadline and enqueues what it found within
// ctx's (the invocation's), so what a listing found before the deadline is
// not lost to it.
func (s *Sweeper) inactive(ctx, work context.Context, runID string, dryRun bool, e Inactive) InactiveResult {
	r := InactiveResult{Connection: e.Connection, Status: StatusOK}
	cn, ok := s.Config.Connection(e.Connection)
	if !ok {
		r.Status, r.Error = StatusError, "connection is not configured (CONNECTIONS)"
		return r
	}
	r.Provider = cn.Provider
	if !connector.CanList(cn.Provider) {
		r.Status, r.Error = StatusUnsupported, cn.Provider+" has no user listing API; inactive sweeps are supported for journeyapps and backendless"
		return r
	}
	q, reason, err := query(cn, e, s.now())
	if err != nil {
		r.Status, r.Error = StatusUnsupported, err.Error()
		return r
	}
	raw, err := s.Secrets.Get(work, s.Config.SecretID(cn.Name))
	if err != nil {
		r.Status, r.Error = StatusError, "reading the connection secret failed"
		s.Log.Error("sweep: secret", "connection", cn.Name, "error", err)
		return r
	}
	client, err := connector.New(cn.Provider, []byte(raw), rest.Options{HTTP: s.HTTP, AllowInsecureHTTP: s.Config.AllowInsecureHTTP, Instances: s.Config.MaxConcurrency})
	if err != nil {
		r.Status, r.Error = StatusError, err.Error()
		return r
	}
	lister, ok := client.(provider.Lister)
	if !ok {
		r.Status, r.Error = StatusUnsupported, cn.Provider+" has no user listing API; inactive sweeps are supported for journeyapps and backendless"
		return r
	}
	cutoff := s.now().AddDate(0, 0, -e.Days)
	var msgs []queue.Outgoing
	capped := false
	err = lister.List(work, q, func(a provider.Account) bool {
		r.Listed++
		if a.Disabled {
			r.AlreadyDisabled++
			return true
		}
		if e.Days > 0 && !inactiveSince(a, cutoff) {
			return true
		}
		if message.CheckUserID(a.ID) != nil {
			r.Skipped++
			return true
		}
		r.Found++
		m := message.Message{V: message.Version, RequestID: runID, Action: message.Revoke, Connection: cn.Name, Provider: cn.Provider,
			UserID: a.ID, Reason: reason, Source: "sweep", RequestedAt: s.now().UTC()}
		body, err := m.Encode()
		if err == nil {
			msgs = append(msgs, queue.Outgoing{Body: body})
		}
		if r.Found >= maxFound {
			capped = true
			return false
		}
		return true
	})
	if err != nil {
		r.Status = StatusIncomplete
		if pe := (*provider.Error)(nil); errors.As(err, &pe) && !pe.Retryable() {
			r.Status = StatusError
		}
		r.Error = "listing stopped: " + provider.As(err).Error()
	}
	if capped {
		r.Status, r.Error = StatusIncomplete, fmt.Sprintf("stopped after %d accounts; the next run continues", maxFound)
	}
	if dryRun || len(msgs) == 0 {
		return r
	}
	unsent, serr := queue.SendAll(ctx, s.Queue, s.Config.QueueURL, msgs, retry.Policy{Attempts: 4, Base: 100 * time.Millisecond, Max: 2 * time.Second})
	r.Enqueued = len(msgs) - len(unsent)
	if len(unsent) > 0 {
		r.Status, r.Error = StatusIncomplete, fmt.Sprintf("%d revocations could not be enqueued; the next run finds them again", len(unsent))
		s.Log.Error("sweep: enqueue", "connection", cn.Name, "unsent", len(unsent), "error", serr)
	}
	return r
}

// query turns an entry into the provider's listing query and the reason
// recorded on each revocation.
func query(cn config.Connection, e Inactive, now time.Time) (provider.ListQuery, string, error) {
	switch {
	case e.Where != "" && cn.Provider != config.Backendless:
		return provider.ListQuery{}, "", fmt.Errorf("where is supported only for backendless; use days for %s", cn.Provider)
	case e.Where != "":
		return provider.ListQuery{Where: e.Where}, truncate("sweep: where "+e.Where, request.MaxReasonLen), nil
	case cn.Provider == config.Backendless:
		cutoff := now.AddDate(0, 0, -e.Days).UnixMilli()
		return provider.ListQuery{Where: "lastLogin < " + strconv.FormatInt(cutoff, 10)}, fmt.Sprintf("sweep: inactive %d days", e.Days), nil
	}
	return provider.ListQuery{}, fmt.Sprintf("sweep: inactive %d days", e.Days), nil
}

// inactiveSince: last active before the cutoff, or never signed in and
// created before it. An account with no dates at all is left alone.
func inactiveSince(a provider.Account, cutoff time.Time) bool {
	if !a.LastActive.IsZero() {
		return a.LastActive.Before(cutoff)
	}
	return !a.Created.IsZero() && a.Created.Before(cutoff)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

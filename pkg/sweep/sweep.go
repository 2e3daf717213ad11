package sweep

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/clients"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// Sweeper runs sweeps. Build it once per container; safe for concurrent use.
type Sweeper struct {
	Config    *config.Config
	Queue     queue.Queue // the revoke queue and the DLQ (by URL)
	Secrets   clients.SecretSource
	Ledger    *ledger.Ledger
	Submit    *submit.Submitter // inactive-account requests and the unqueued backstop
	Directory directory.Reader  // DIRECTORY_SOURCES snapshots (nil: none)
	Log       *slog.Logger
	HTTP      *http.Client // nil: rest.NewHTTPClient()
	Metrics   io.Writer    // EMF lines of provider call latencies (stdout in Lambda); nil: none
	Now       func() time.Time
	NewID     func() string
	// RedriveAll re-drives permanent failures too (an operator's choice
	// after fixing their cause; never the scheduled sweep's).
	RedriveAll bool
	// Providers says what each connection's provider can do and builds its
	// clients (nil: registry.Builtin()).
	Providers *registry.Registry

	once    sync.Once
	clients *clients.Builder // every provider client, as the consumer builds them
	metrics audit.Metrics
}

func (s *Sweeper) init() {
	s.once.Do(func() {
		s.clients = &clients.Builder{Config: s.Config, Providers: s.Providers, Secrets: s.Secrets, HTTP: s.HTTP,
			Observe: func(prov string, o rest.Observation) { s.metrics.Latency(prov, o.Duration) }}
	})
}

// Result is the sweep's report (also logged as one line).
type Result struct {
	RunID     string           `json:"run_id"`
	DryRun    bool             `json:"dry_run"`
	Complete  bool             `json:"complete"`
	Found     int              `json:"found"`
	Enqueued  int              `json:"enqueued"`
	Redriven  int              `json:"redriven"`
	Kept      int              `json:"kept"`
	Skipped   int              `json:"skipped"`
	Requeued  int              `json:"requeued"` // targets of requests left unqueued, queued now
	Redrive   *RedriveResult   `json:"redrive,omitempty"`
	Inactive  []InactiveResult `json:"inactive,omitempty"`
	Snapshots []SnapshotResult `json:"snapshots,omitempty"`
	Drift     []DriftResult    `json:"drift,omitempty"`
	Orphans   []OrphanResult   `json:"orphans,omitempty"`

	// BackstopOnly: the run was the unqueued backstop alone.
	BackstopOnly bool `json:"backstop_only,omitempty"`
}

// Handle is the Lambda handler: the event is the rule's Input (or a plain
// Scheduled Event). Only invalid input is an error.
func (s *Sweeper) Handle(ctx context.Context, raw json.RawMessage) (*Result, error) {
	s.init()
	in, err := ParseInput(raw)
	if err != nil {
		s.Log.Error("sweep: invalid input", "error", err)
		return nil, err
	}
	res := &Result{RunID: s.newID(), DryRun: in.DryRun, Complete: true, BackstopOnly: in.BackstopOnly}
	work, cancel := context.WithDeadline(ctx, s.deadline(ctx))
	defer cancel()
	if in.BackstopOnly {
		res.Requeued, res.Complete = s.requeue(ctx, work)
		s.Log.Info("sweep: unqueued backstop", "run_id", res.RunID, "complete", res.Complete, "requeued", res.Requeued)
		return res, nil
	}
	if maxMessages, minAge, maxRedrives := in.limits(); maxMessages > 0 {
		res.Redrive = s.redrive(ctx, work, in.DryRun, maxMessages, time.Duration(minAge)*time.Second, maxRedrives)
		res.Redriven, res.Kept = res.Redrive.Redriven, res.Redrive.Kept
		res.Complete = res.Complete && res.Redrive.Complete
	}
	for _, e := range in.Inactive {
		r := s.inactive(ctx, work, in.DryRun, e)
		res.Inactive = append(res.Inactive, r)
		res.Found += r.Found
		res.Enqueued += r.Enqueued
		res.Skipped += r.Skipped
		res.Complete = res.Complete && r.Status != StatusIncomplete && r.Status != StatusError
	}
	// Every run, a dry run included, refreshes the directory snapshots: they
	// change nothing at a provider.
	for _, d := range s.Config.DirectorySources {
		sr := s.snapshot(work, d)
		res.Snapshots = append(res.Snapshots, sr)
		res.Complete = res.Complete && sr.Status == StatusOK
	}
	// Drift and orphans after the snapshots: the comparison sees the
	// directory as this run refreshed it.
	if in.Drift != nil {
		res.Drift = s.drift(work, res.RunID, in.DryRun, *in.Drift)
		for _, r := range res.Drift {
			res.Complete = res.Complete && r.Status != StatusIncomplete
		}
	}
	if in.Orphans != nil {
		res.Orphans = s.orphans(work, in.DryRun, *in.Orphans)
		for _, r := range res.Orphans {
			res.Complete = res.Complete && r.Status != StatusIncomplete && r.Status != StatusError
		}
	}
	if !in.DryRun {
		n, ok := s.requeue(ctx, work)
		res.Requeued, res.Complete = n, res.Complete && ok
	}
	if s.Metrics != nil {
		s.metrics.Flush(s.Metrics, s.now())
	}
	s.Log.Info("sweep", "run_id", res.RunID, "dry_run", res.DryRun, "complete", res.Complete, "found", res.Found,
		"enqueued", res.Enqueued, "redriven", res.Redriven, "kept", res.Kept, "skipped", res.Skipped, "requeued", res.Requeued, "result", res)
	return res, nil
}

func (s *Sweeper) deadline(ctx context.Context) time.Time {
	if dl, ok := ctx.Deadline(); ok {
		return dl.Add(-min(3*time.Second, time.Until(dl)/5))
	}
	return time.Now().Add(10 * time.Minute) // a context deadline is wall-clock time
}

func (s *Sweeper) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sweeper) newID() string {
	if s.NewID != nil {
		return s.NewID()
	}
	return message.NewID()
}

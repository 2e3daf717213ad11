// Package submit is the one request path: the API, the Okta hook, the SCIM
// front door, the EventBridge trigger and the sweep all make requests
// through Submitter.Submit, so a request is recorded in the ledger before
// anything is queued, keyed requests are made once, and every message is
// built the same way (docs/design.md §1, §8). Identity events (the Okta
// hook, the log streams, CloudTrail, SCIM deactivations) enter through
// Submitter.Intake, which decides who is unresolved, what is recorded and
// which connections apply.
package submit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/revoke-dev/revoke/pkg/audit"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// Submitter makes requests. Build it once per container; safe for
// concurrent use.
type Submitter struct {
	Config *config.Config
	Ledger *ledger.Ledger
	Queue  queue.Sender // sends to Config.QueueURL
	Log    *slog.Logger
	// Metrics receives EMF lines (the "unresolved" count; stdout in
	// Lambda); nil: none.
	Metrics io.Writer
	// Providers says what each connection's provider can do (nil:
	// registry.Builtin()).
	Providers *registry.Registry
	// SendPolicy retries refused queue entries (zero: retry.AWS).
	SendPolicy retry.Policy
	// Now and NewID are injectable for tests (nil: time.Now, message.NewID).
	Now   func() time.Time
	NewID func() string
}

// Submission is one request as a caller makes it.
type Submission struct {
	Request *request.Request // its shape already checked (request.Parse or Check)
	Source  message.Source
	Actor   string
	// Key makes the request at most once: a caller's Idempotency-Key
	// ("idem:<actor>:<key>") or an event's key ("okta:<uuid>", …).
	Key string
	// BodyHash, with a caller's key: a repeat with another body conflicts.
	BodyHash string
	// RequestID is used for a new request when set (the API's own id).
	RequestID string
}

// Receipt is what a request answers.
type Receipt struct {
	RequestID string `json:"request_id"`
	Accepted  int    `json:"accepted"`
	Repeat    bool   `json:"-"` // an earlier request with the same key answered
}

// ErrConflict means an idempotency key came back with another body.
var ErrConflict = errors.New("submit: the idempotency key was used with a different request")

// UnavailableError means the ledger or the queue could not take the
// request: the caller may repeat it (with its key, only what was not
// queued is sent again).
type UnavailableError struct {
	Stage   string   // "ledger" or "queue"
	Queued  []string // connection:subject of the targets queued
	Missing []string // and of those not queued
	Err     error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("submit: %s unavailable (%d queued, %d not): %v", e.Stage, len(e.Queued), len(e.Missing), e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

func (s *Submitter) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Expand checks a request against the configured connections and what
// their providers can do, and plans one target per message, exactly as
// Submit will (a caller may ask before it submits).
func (s *Submitter) Expand(r *request.Request) ([]message.Target, error) {
	reg := s.Providers
	if reg == nil {
		reg = registry.Builtin()
	}
	return request.Expand(r, s.Config, reg)
}

// Accepts reports whether the configuration still accepts a revocation
// or restore of email on connection: the connection is configured and the
// address's domain allowed (ALLOWED_EMAIL_DOMAINS). A SCIM restore leaves
// out what a changed configuration no longer accepts, rather than
// refusing the person's whole restore.
func (s *Submitter) Accepts(connection, email string) bool {
	_, configured := s.Config.Connection(connection)
	return email != "" && configured && s.Config.AllowedEmailDomains.Allows(email)
}

func (s *Submitter) newID() string {
	if s.NewID != nil {
		return s.NewID()
	}
	return message.NewID()
}

// Submit validates a request against the configuration, records it and its
// targets, and queues one message per target. A *request.Error is a bad
// request (nothing recorded); ErrConflict and *UnavailableError are the
// other failures. DRY_RUN makes every request a dry run.
func (s *Submitter) Submit(ctx context.Context, sub Submission) (Receipt, error) {
	planned, err := s.Expand(sub.Request)
	if err != nil {
		return Receipt{}, err
	}
	r := ledger.Request{
		ID: sub.RequestID, Action: sub.Request.Action, Reason: sub.Request.Reason, Source: sub.Source, Actor: sub.Actor,
		DryRun: sub.Request.DryRun || s.Config.DryRun, RequestedAt: s.now().UTC(), Targets: len(planned), Key: sub.Key,
	}
	if r.ID == "" {
		r.ID = s.newID()
	}
	if sub.Key != "" {
		old, err := s.Ledger.ClaimKey(ctx, ledger.KeyRecord{Key: sub.Key, RequestID: r.ID, BodyHash: sub.BodyHash, Accepted: len(planned)})
		if err != nil {
			return Receipt{}, &UnavailableError{Stage: "ledger", Err: err}
		}
		if old != nil {
			if sub.BodyHash != "" && old.BodyHash != sub.BodyHash {
				return Receipt{}, ErrConflict
			}
			return s.resume(ctx, old, r, planned)
		}
	}
	return s.create(ctx, r, planned)
}

func targets(planned []message.Target) []ledger.Target {
	out := make([]ledger.Target, len(planned))
	for i, p := range planned {
		out[i] = ledger.TargetOf(p)
	}
	return out
}

// create records a new request and queues all its targets.
func (s *Submitter) create(ctx context.Context, r ledger.Request, planned []message.Target) (Receipt, error) {
	ts := targets(planned)
	if err := s.Ledger.CreateRequest(ctx, r, ts); err != nil {
		return Receipt{}, &UnavailableError{Stage: "ledger", Err: err}
	}
	if err := s.enqueue(ctx, r, ts); err != nil {
		return Receipt{}, err
	}
	return Receipt{RequestID: r.ID, Accepted: len(ts)}, nil
}

// resume answers a repeat of a keyed request: it queues the targets the
// first arrival never queued, then answers as the first did. A request the
// first arrival never got to record is recorded now, under its id.
func (s *Submitter) resume(ctx context.Context, old *ledger.KeyRecord, r ledger.Request, planned []message.Target) (Receipt, error) {
	rec, err := s.Ledger.LoadUnqueued(ctx, old.RequestID)
	if errors.Is(err, ledger.ErrNotFound) {
		r.ID = old.RequestID
		rc, err := s.create(ctx, r, planned)
		rc.Repeat = true
		return rc, err
	}
	if err != nil {
		return Receipt{}, &UnavailableError{Stage: "ledger", Err: err}
	}
	if err := s.Requeue(ctx, rec); err != nil {
		return Receipt{}, err
	}
	return Receipt{RequestID: old.RequestID, Accepted: old.Accepted, Repeat: true}, nil
}

// Unresolved records a person an event or a SCIM change names but revoke
// cannot resolve to an address (docs/design.md §1b): one ERROR line naming the
// user id and the event, the EMF metric "unresolved" (alarmed in the
// template) and the ledger record `revokectl unresolved` lists. Nothing is
// enqueued and the event is not retried; an error means the ledger could
// not record it.
func (s *Submitter) Unresolved(ctx context.Context, u ledger.Unresolved) error {
	if u.At.IsZero() {
		u.At = s.now().UTC()
	}
	s.Log.Error("unresolved: an event names a person revoke cannot resolve to an email; nothing revoked for them",
		"source", u.Source, "directory", u.Directory, "user_id", u.UserID, "event_id", u.EventID, "why", u.Reason)
	if s.Metrics != nil {
		audit.Emit(s.Metrics, s.now(), "unresolved", map[string]string{"source": string(u.Source)}, 1)
	}
	return s.Ledger.RecordUnresolved(ctx, u)
}

// Requeue queues a recorded request's targets that were never queued (the
// repeat of an interrupted request, and the sweep's backstop).
func (s *Submitter) Requeue(ctx context.Context, rec *ledger.Record) error {
	if unq := rec.Unqueued(); len(unq) > 0 {
		s.Log.Warn("queueing targets an earlier attempt left unqueued", "request_id", rec.Request.ID, "targets", len(unq))
		return s.enqueue(ctx, rec.Request, unq)
	}
	return nil
}

// enqueue sends one message per target and marks what was sent.
func (s *Submitter) enqueue(ctx context.Context, r ledger.Request, ts []ledger.Target) error {
	out := make([]queue.Outgoing, len(ts))
	h := r.Header()
	for i, t := range ts {
		m := message.New(h, t.Target)
		body, err := m.Encode()
		if err != nil {
			return &UnavailableError{Stage: "queue", Err: err}
		}
		out[i] = queue.Outgoing{Body: body}
	}
	p := s.SendPolicy
	if p.Attempts == 0 {
		p = retry.AWS
	}
	unsent, err := queue.SendAll(ctx, s.Queue, s.Config.QueueURL, out, p)
	sent := make([]ledger.Target, 0, len(ts))
	var queued, missing []string
	j := 0
	for i, t := range ts {
		name := t.Connection + ":" + t.Key
		if j < len(unsent) && unsent[j] == i {
			missing = append(missing, name)
			j++
			continue
		}
		sent = append(sent, t)
		queued = append(queued, name)
	}
	complete := len(unsent) == 0
	if len(sent) > 0 {
		// The queue holds them now; failing to mark them only means a repeat
		// or the sweep may send them again (a revocation is idempotent).
		if merr := s.Ledger.MarkQueued(context.WithoutCancel(ctx), r, sent, complete); merr != nil {
			s.Log.Error("marking targets queued failed; the sweep will queue the request again", "request_id", r.ID, "error", merr)
		}
	}
	if !complete {
		return &UnavailableError{Stage: "queue", Queued: queued, Missing: missing, Err: err}
	}
	return nil
}

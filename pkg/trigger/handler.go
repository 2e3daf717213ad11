package trigger

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// Handler is the trigger function. Build it once per container; safe for
// concurrent use.
type Handler struct {
	// Events is what the handler acts on (OKTA_EVENT_TYPES,
	// AUTH0_LOG_TYPES, DIRECTORY_SOURCES) and the AWS account a
	// CloudTrail event must carry. An empty Account is learned on each
	// invocation from the Lambda context's invoked function ARN (no IAM
	// permission needed); outside Lambda, with neither, the account is
	// not checked.
	Events    Options
	Submit    *submit.Submitter
	Ledger    *ledger.Ledger
	Directory directory.Reader
	Log       *slog.Logger
}

// Result is what one event did (also logged).
type Result struct {
	Outcome    string   `json:"outcome"` // ignored, requested, repeat, unresolved
	Key        string   `json:"key,omitempty"`
	RequestID  string   `json:"request_id,omitempty"`
	Accepted   int      `json:"accepted,omitempty"`
	Unresolved []string `json:"unresolved,omitempty"`
	Why        string   `json:"why,omitempty"`
}

// Handle is the Lambda handler. Irrelevant or unusable events succeed with
// nothing done; an error (a directory throttled, the ledger or the queue
// unreachable) makes Lambda retry the event, then send it to the
// function's on-failure destination.
func (h *Handler) Handle(ctx context.Context, ev events.EventBridgeEvent) (*Result, error) {
	o := h.Events
	o.Account = h.account(ctx)
	e, err := Parse(ev, o)
	var ig *Ignored
	if errors.As(err, &ig) {
		h.Log.Info("trigger: event ignored", "event_id", message.Trim(ev.ID, 64), "why", ig.Why)
		return &Result{Outcome: "ignored", Why: ig.Why}, nil
	}
	if err != nil {
		return nil, err
	}
	in := submit.Event{Source: e.Source, Actor: string(e.Source), Key: e.Key, Type: e.Type, EventID: e.EventID, At: e.At, People: e.People}
	if e.Dir != nil {
		in.Directory = e.Dir.String()
	}
	if e.Dir != nil && e.UserID != "" {
		p, err := h.resolve(ctx, e)
		if err != nil {
			return nil, err // throttled or unreachable: retried
		}
		in.People = []submit.Person{p}
	}
	out, err := h.Submit.Intake(ctx, in)
	if err != nil {
		h.Log.Error("trigger: the request could not be made; the event will be retried", "key", e.Key, "error", err)
		return nil, err
	}
	res := &Result{Outcome: out.Outcome, Key: e.Key, RequestID: out.RequestID, Accepted: out.Accepted, Unresolved: out.Unresolved}
	if out.RequestID != "" {
		h.Log.Info("trigger: revoke requested", "key", e.Key, "source", e.Source, "event_type", e.Type, "revoke_request_id", out.RequestID,
			"accepted", out.Accepted, "repeat", out.Outcome == submit.Repeat)
	}
	return res, nil
}

// account is this account's id: the configured one, else the one in the
// invoked function's ARN (arn:aws:lambda:<region>:<account>:function:…).
func (h *Handler) account(ctx context.Context) string {
	if h.Events.Account != "" {
		return h.Events.Account
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		if parts := strings.Split(lc.InvokedFunctionArn, ":"); len(parts) >= 6 && parts[0] == "arn" && parts[2] == "lambda" {
			return parts[4]
		}
	}
	return ""
}

// resolve finds a directory user's addresses the directory vouches for:
// live (and recorded in the snapshot), else from the snapshot (a deleted
// user, or one whose current address is unverified). The intake then
// keeps only addresses in ALLOWED_EMAIL_DOMAINS.
func (h *Handler) resolve(ctx context.Context, e *Event) (submit.Person, error) {
	dir := e.Dir.String()
	p := submit.Person{ID: e.UserID}
	u, err := h.Directory.Lookup(ctx, *e.Dir, e.UserID)
	switch {
	case err == nil && len(u.Emails) > 0:
		if perr := h.Ledger.PutDirectoryUsers(ctx, []ledger.DirectoryUser{{Directory: dir, UserID: e.UserID, Emails: u.Emails, Disabled: u.Disabled}}); perr != nil {
			h.Log.Warn("trigger: recording the resolved user in the snapshot failed", "directory", dir, "error", perr)
		}
		p.Emails = u.Emails
		return p, nil
	case err == nil && u.Unverified > 0:
		p.Why = whyUnverified
	case err != nil && !errors.Is(err, directory.ErrNotFound):
		return p, err
	}
	snap, err := h.Ledger.DirectoryUser(ctx, dir, e.UserID)
	if err != nil {
		return p, err
	}
	if snap != nil && len(snap.Emails) > 0 {
		p.Emails, p.Why = snap.Emails, ""
	}
	return p, nil
}

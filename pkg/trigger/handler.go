package trigger

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// Handler is the trigger function. Build it once per container; safe for
// concurrent use.
type Handler struct {
	Config    *config.Config
	Submit    *submit.Submitter
	Ledger    *ledger.Ledger
	Directory directory.Reader
	Log       *slog.Logger
	// Account is this AWS account's id, which a CloudTrail event must
	// carry. Empty: learned on each invocation from the Lambda context's
	// invoked function ARN (no IAM permission needed); outside Lambda,
	// with neither, the account is not checked.
	Account string
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
	e, err := Parse(ev, Options{OktaEventTypes: h.Config.OktaEventTypes, Auth0LogTypes: h.Config.Auth0LogTypes, Directories: h.Config.DirectorySources,
		Allowed: h.Config.AllowedEmailDomains, Account: h.account(ctx)})
	var ig *Ignored
	if errors.As(err, &ig) {
		h.Log.Info("trigger: event ignored", "event_id", message.Trim(ev.ID, 64), "why", ig.Why)
		return &Result{Outcome: "ignored", Why: ig.Why}, nil
	}
	if err != nil {
		return nil, err
	}
	res := &Result{Key: e.Key}
	if e.Dir != nil {
		if err := h.resolve(ctx, e); err != nil {
			return nil, err
		}
	}
	for _, p := range e.Unresolved {
		if err := h.unresolved(ctx, e, p); err != nil {
			return nil, err
		}
		res.Unresolved = append(res.Unresolved, p.ID)
	}
	if len(e.Emails) == 0 {
		res.Outcome = "unresolved"
		return res, nil
	}
	reason := message.Trim(string(e.Source)+" "+e.Type+" "+eventUser(e), message.MaxReasonChars)
	rcpt, err := h.Submit.Submit(ctx, submit.Submission{
		Request: request.ForEvent(message.Revoke, e.Emails, h.Config.TriggerConnections, reason),
		Source:  e.Source, Actor: string(e.Source), Key: e.Key,
	})
	if err != nil {
		h.Log.Error("trigger: the request could not be made; the event will be retried", "key", e.Key, "error", err)
		return nil, err
	}
	res.Outcome, res.RequestID, res.Accepted = "requested", rcpt.RequestID, rcpt.Accepted
	if rcpt.Repeat {
		res.Outcome = "repeat"
	}
	h.Log.Info("trigger: revoke requested", "key", e.Key, "source", e.Source, "event_type", e.Type, "revoke_request_id", rcpt.RequestID,
		"accepted", rcpt.Accepted, "repeat", rcpt.Repeat)
	return res, nil
}

func eventUser(e *Event) string {
	if e.UserID != "" {
		return e.UserID
	}
	return strings.Join(e.Emails, ",")
}

// account is this account's id: the configured one, else the one in the
// invoked function's ARN (arn:aws:lambda:<region>:<account>:function:…).
func (h *Handler) account(ctx context.Context) string {
	if h.Account != "" {
		return h.Account
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
// user, or one whose current address is unverified). Only addresses in
// ALLOWED_EMAIL_DOMAINS are used. A user left with none is unresolved,
// with the reason.
func (h *Handler) resolve(ctx context.Context, e *Event) error {
	dir := e.Dir.String()
	why := whyNoAddress
	u, err := h.Directory.Lookup(ctx, *e.Dir, e.UserID)
	switch {
	case err == nil && len(u.Emails) > 0:
		if perr := h.Ledger.PutDirectoryUsers(ctx, []ledger.DirectoryUser{{Directory: dir, UserID: e.UserID, Emails: u.Emails}}); perr != nil {
			h.Log.Warn("trigger: recording the resolved user in the snapshot failed", "directory", dir, "error", perr)
		}
		if e.Emails, _ = h.Config.AllowedEmailDomains.Split(u.Emails); len(e.Emails) > 0 {
			return nil
		}
		why = whyDomain
	case err == nil && u.Unverified > 0:
		why = whyUnverified
	case err != nil && !errors.Is(err, directory.ErrNotFound):
		return err // throttled or unreachable: retried
	}
	snap, serr := h.Ledger.DirectoryUser(ctx, dir, e.UserID)
	if serr != nil {
		return serr
	}
	if snap != nil && len(snap.Emails) > 0 {
		if e.Emails, _ = h.Config.AllowedEmailDomains.Split(snap.Emails); len(e.Emails) > 0 {
			return nil
		}
		why = whyDomain
	}
	e.Unresolved = append(e.Unresolved, Person{ID: e.UserID, Why: why})
	return nil
}

// unresolved records a person an event names but revoke cannot resolve.
func (h *Handler) unresolved(ctx context.Context, e *Event, p Person) error {
	dir := ""
	if e.Dir != nil {
		dir = e.Dir.String()
	}
	return h.Submit.Unresolved(ctx, ledger.Unresolved{At: e.At, Source: e.Source, Directory: dir, UserID: p.ID, EventID: e.EventID, Key: e.Key,
		Reason: e.Type + ": " + p.Why})
}

package trigger

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"

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
	e, err := Parse(ev, Options{OktaEventTypes: h.Config.OktaEventTypes, Auth0LogTypes: h.Config.Auth0LogTypes, Directories: h.Config.DirectorySources})
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
	for _, id := range e.Unresolved {
		if err := h.unresolved(ctx, e, id); err != nil {
			return nil, err
		}
		res.Unresolved = append(res.Unresolved, id)
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

// resolve finds a directory user's addresses: live (and recorded in the
// snapshot), else from the snapshot (a deleted user). A user found nowhere
// with an address is unresolved.
func (h *Handler) resolve(ctx context.Context, e *Event) error {
	dir := e.Dir.String()
	u, err := h.Directory.Lookup(ctx, *e.Dir, e.UserID)
	switch {
	case err == nil && len(u.Emails) > 0:
		e.Emails = u.Emails
		if perr := h.Ledger.PutDirectoryUsers(ctx, []ledger.DirectoryUser{{Directory: dir, UserID: e.UserID, Emails: u.Emails}}); perr != nil {
			h.Log.Warn("trigger: recording the resolved user in the snapshot failed", "directory", dir, "error", perr)
		}
		return nil
	case err != nil && !errors.Is(err, directory.ErrNotFound):
		return err // throttled or unreachable: retried
	}
	snap, serr := h.Ledger.DirectoryUser(ctx, dir, e.UserID)
	if serr != nil {
		return serr
	}
	if snap != nil && len(snap.Emails) > 0 {
		e.Emails = snap.Emails
		return nil
	}
	e.Unresolved = append(e.Unresolved, e.UserID)
	return nil
}

// unresolved records a person an event names but revoke cannot resolve.
func (h *Handler) unresolved(ctx context.Context, e *Event, userID string) error {
	dir := ""
	if e.Dir != nil {
		dir = e.Dir.String()
	}
	return h.Submit.Unresolved(ctx, ledger.Unresolved{At: e.At, Source: e.Source, Directory: dir, UserID: userID, EventID: e.EventID, Key: e.Key,
		Reason: e.Type + ": no address for this user"})
}

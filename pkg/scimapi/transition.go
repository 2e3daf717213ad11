package scimapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// transition makes the request a user's state change asks for: active
// true→false, or a DELETE (next nil) of an active user, revokes the
// user's addresses; false→true restores, when SCIM_RESTORE is on, exactly
// the targets the user's own earlier revocation (next.RevokedBy) changed,
// never an address the re-activating change adds. Nothing else enqueues
// anything. Each request is keyed by the user, its version and what it
// acts on, so the same change sent again is a no-op, and a later change
// that acts on other addresses is a request of its own. It sets
// next.RevokedBy, and returns the response to answer instead of saving,
// or nil.
func (h *Handler) transition(ctx context.Context, c *call, cur ledger.SCIMUser, next *ledger.SCIMUser) *events.APIGatewayV2HTTPResponse {
	switch {
	case cur.Active && next == nil:
		return h.revoke(ctx, c, cur, nil, "deleted")
	case cur.Active && !next.Active:
		return h.revoke(ctx, c, cur, next, "deactivated")
	case !cur.Active && next != nil && next.Active && h.Restore:
		return h.restore(ctx, c, cur, next)
	case !cur.Active && next != nil && next.Active:
		next.RevokedBy = "" // re-enabled at the IdP: that revocation is no longer the user's to restore
	}
	return nil
}

// revoke revokes every address the user has before and after the change,
// through the one intake of identity events: addresses outside
// ALLOWED_EMAIL_DOMAINS are left out, and a user left with none is
// recorded unresolved, with the reason.
func (h *Handler) revoke(ctx context.Context, c *call, cur ledger.SCIMUser, next *ledger.SCIMUser, what string) *events.APIGatewayV2HTTPResponse {
	emails := addresses(cur)
	if next != nil {
		for _, e := range addresses(*next) {
			if !message.ContainsFold(emails, e) {
				emails = append(emails, e)
			}
		}
	}
	key := transitionKey(cur, what, emails)
	reason := "scim: user " + what
	if cur.ExternalID != "" {
		reason += " externalId=" + cur.ExternalID
	}
	out, err := h.Submit.Intake(ctx, submit.Event{Source: message.SourceSCIM, Actor: c.actor, Key: key, Type: "SCIM user " + what, EventID: key,
		Reason: reason, People: []submit.Person{{ID: cur.ID, Emails: emails}}})
	if resp := c.submitFailed(cur, err); resp != nil {
		return resp
	}
	if next != nil {
		next.RevokedBy = out.RequestID // empty when this deactivation revoked nothing
	}
	if out.RequestID != "" {
		c.log.Info("scim: user "+what, "scim_user_id", cur.ID, "revoke_request_id", out.RequestID, "accepted", out.Accepted, "repeat", out.Outcome == submit.Repeat)
	}
	return nil
}

// submitFailed is the answer to a request that could not be made, or nil.
func (c *call) submitFailed(cur ledger.SCIMUser, err error) *events.APIGatewayV2HTTPResponse {
	var ue *submit.UnavailableError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ue):
		r := c.unavailable("revoke's queue or ledger", err)
		return &r
	}
	c.log.Error("scim: the state change cannot become a request (check SCIM_CONNECTIONS)", "scim_user_id", cur.ID, "error", err)
	r := fail(500, c.id, "", "revoke is not configured to act on this change")
	return &r
}

// restore restores the targets the user's own earlier revocation changed
// (done; would_revoke in a dry run), found through the ledger: not one it
// found already revoked (else anyone revoked earlier could be restored by
// naming them in a new user and deactivating it), nor one not settled yet.
// When there is nothing to restore (the user
// was never revoked by revoke, or no connection can restore), the change
// is saved and answered as usual (RFC 7644 §3.5.2: the state is the
// IdP's), and the ledger records that nothing was restorable.
func (h *Handler) restore(ctx context.Context, c *call, cur ledger.SCIMUser, next *ledger.SCIMUser) *events.APIGatewayV2HTTPResponse {
	next.RevokedBy = ""
	if cur.RevokedBy == "" {
		return h.nothingRestorable(ctx, c, cur, "revoke revoked nothing for this user")
	}
	rec, err := h.Ledger.Load(ctx, cur.RevokedBy)
	switch {
	case errors.Is(err, ledger.ErrNotFound):
		return h.nothingRestorable(ctx, c, cur, "its revocation "+cur.RevokedBy+" is no longer in the ledger")
	case err != nil:
		r := c.unavailable("the ledger", err)
		return &r
	}
	// A dry-run revocation changed nothing: its restore changes nothing either.
	req := &request.Request{Action: message.Restore, DryRun: rec.Request.DryRun,
		Reason: message.Trim("scim: user reactivated, restoring "+cur.RevokedBy, message.MaxReasonChars)}
	var emails []string
	unsettled := 0
	for _, t := range rec.Statuses() {
		if !changedBy(t.Outcome, rec.Request.DryRun) {
			// The deactivation did not revoke it: already revoked by someone
			// else (a departed person named to be "restored"), no account,
			// failed, or not settled yet. Restoring it would undo another
			// revocation.
			if !t.Outcome.Final() {
				unsettled++
			}
			continue
		}
		if !h.Submit.Accepts(t.Connection, t.Email) {
			continue // a connection removed since, or a domain no longer allowed, is not restored
		}
		req.Targets = append(req.Targets, message.Target{Connection: t.Connection, Email: t.Email, Fanout: true})
		if !message.ContainsFold(emails, t.Email) {
			emails = append(emails, t.Email)
		}
	}
	if unsettled > 0 {
		c.log.Warn("scim: user reactivated; targets of its revocation not settled yet are not restored", "scim_user_id", cur.ID,
			"revoke_request_id", cur.RevokedBy, "unsettled", unsettled)
	}
	if len(req.Targets) == 0 {
		return h.nothingRestorable(ctx, c, cur, "its revocation "+cur.RevokedBy+" changed no account revoke can restore (already revoked, no account, failed or not settled)")
	}
	if _, err := h.Submit.Expand(req); err != nil {
		var re *request.Error
		if errors.As(err, &re) {
			return h.nothingRestorable(ctx, c, cur, "no connection of its revocation can restore ("+message.Trim(re.Error(), 200)+")")
		}
	}
	_, resp := h.submit(ctx, c, cur, req, transitionKey(cur, "reactivated:"+cur.RevokedBy, emails), "reactivated")
	return resp
}

// changedBy reports whether a target of a revocation was revoked by it:
// changed at the provider (done), or, in a dry run, would have been.
func changedBy(o message.Outcome, dryRun bool) bool {
	return o == message.Done || (dryRun && o == message.WouldRevoke)
}

// nothingRestorable records (ledger and a WARN line) that a re-activation
// restored nothing, and lets the change be saved.
func (h *Handler) nothingRestorable(ctx context.Context, c *call, cur ledger.SCIMUser, why string) *events.APIGatewayV2HTTPResponse {
	key := transitionKey(cur, "reactivated", nil)
	c.log.Warn("scim: user reactivated; nothing restored", "scim_user_id", cur.ID, "why", why)
	err := h.Ledger.RecordUnresolved(ctx, ledger.Unresolved{At: h.now().UTC(), Source: message.SourceSCIM, UserID: cur.ID, EventID: key, Key: key,
		Reason: "SCIM user reactivated: nothing restorable: " + why})
	if err != nil {
		r := c.unavailable("the ledger", err)
		return &r
	}
	return nil
}

// submit makes one keyed request and returns its id, or the response to
// answer instead.
func (h *Handler) submit(ctx context.Context, c *call, cur ledger.SCIMUser, req *request.Request, key, what string) (string, *events.APIGatewayV2HTTPResponse) {
	rcpt, err := h.Submit.Submit(ctx, submit.Submission{Request: req, Source: message.SourceSCIM, Actor: c.actor, Key: key})
	if resp := c.submitFailed(cur, err); resp != nil {
		return "", resp
	}
	c.log.Info("scim: user "+what, "scim_user_id", cur.ID, "revoke_request_id", rcpt.RequestID, "accepted", rcpt.Accepted, "repeat", rcpt.Repeat)
	return rcpt.RequestID, nil
}

// transitionKey keys a state change by the user, the version it changes,
// what it does and the addresses it acts on:
// scim:<id>:<what>:v<version>:<16 hex of the sorted, lower-cased addresses>.
func transitionKey(cur ledger.SCIMUser, what string, emails []string) string {
	norm := make([]string, len(emails))
	for i, e := range emails {
		norm[i] = message.NormalEmail(e)
	}
	slices.Sort(norm)
	d := sha256.Sum256([]byte(strings.Join(norm, "\n")))
	return "scim:" + cur.ID + ":" + what + ":v" + strconv.FormatInt(cur.Version, 10) + ":" + hex.EncodeToString(d[:8])
}

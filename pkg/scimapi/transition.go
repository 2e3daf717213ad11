package scimapi

import (
	"context"
	"errors"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// transition makes the request a user's state change asks for: active
// true→false, or a DELETE (next nil) of an active user, revokes; false→true
// restores when SCIM_RESTORE is on. Nothing else enqueues anything, and the
// same change sent again is the same keyed request (a no-op). It returns
// the response to answer instead of saving, or nil.
func (h *Handler) transition(ctx context.Context, c *call, cur ledger.SCIMUser, next *ledger.SCIMUser) *events.APIGatewayV2HTTPResponse {
	var action message.Action
	var what string
	switch {
	case cur.Active && next == nil:
		action, what = message.Revoke, "deleted"
	case cur.Active && !next.Active:
		action, what = message.Revoke, "deactivated"
	case !cur.Active && next != nil && next.Active && h.Config.SCIMRestore:
		action, what = message.Restore, "reactivated"
	default:
		return nil
	}
	emails := addresses(cur)
	if next != nil {
		for _, e := range addresses(*next) {
			if !containsFold(emails, e) {
				emails = append(emails, e)
			}
		}
	}
	key := "scim:" + cur.ID + ":" + what + ":v" + strconv.FormatInt(cur.Version, 10)
	if len(emails) == 0 {
		if err := h.Submit.Unresolved(ctx, ledger.Unresolved{Source: message.SourceSCIM, UserID: cur.ID, EventID: key, Key: key,
			Reason: "SCIM user " + what + " with no email address"}); err != nil {
			r := c.unavailable("the ledger", err)
			return &r
		}
		return nil
	}
	reason := "scim: user " + what
	if cur.ExternalID != "" {
		reason += " externalId=" + cur.ExternalID
	}
	sub := submit.Submission{
		Request: request.ForEvent(action, emails, h.Config.SCIMConnections, message.Trim(reason, message.MaxReasonChars)),
		Source:  message.SourceSCIM, Actor: c.actor, Key: key,
	}
	rcpt, err := h.Submit.Submit(ctx, sub)
	var ue *submit.UnavailableError
	switch {
	case errors.As(err, &ue):
		r := c.unavailable("revoke's queue or ledger", err)
		return &r
	case err != nil:
		c.log.Error("scim: the state change cannot become a request (check SCIM_CONNECTIONS)", "scim_user_id", cur.ID, "error", err)
		r := fail(500, c.id, "", "revoke is not configured to act on this change")
		return &r
	}
	c.log.Info("scim: user "+what, "scim_user_id", cur.ID, "revoke_request_id", rcpt.RequestID, "accepted", rcpt.Accepted, "repeat", rcpt.Repeat)
	return nil
}

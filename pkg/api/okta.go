package api

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/okta"
	"github.com/revoke-dev/revoke/pkg/request"
)

// oktaBudget keeps the answer inside Okta's 3 s timeout.
const oktaBudget = 2500 * time.Millisecond

func (h *Handler) oktaVerify(_ context.Context, rc *reqCtx) events.APIGatewayV2HTTPResponse {
	v := header(rc.req, "x-okta-verification-challenge")
	if v == "" || len(v) > 1024 {
		return respondError(400, rc.id, codeInvalid, "X-Okta-Verification-Challenge header is required", "X-Okta-Verification-Challenge")
	}
	return respond(200, rc.id, map[string]string{"verification": v})
}

type oktaResult struct {
	RequestID string `json:"request_id"`
	Accepted  int    `json:"accepted"`
	Events    int    `json:"events"`
	Ignored   int    `json:"ignored"`
	Skipped   int    `json:"skipped"`
}

func (h *Handler) oktaEvents(ctx context.Context, rc *reqCtx) events.APIGatewayV2HTTPResponse {
	body, errResp := jsonBody(rc)
	if errResp != nil {
		return *errResp
	}
	d, err := okta.Parse(body)
	if err != nil {
		return respondError(400, rc.id, codeInvalid, err.Error(), "")
	}
	sel := d.Select(h.Config.OktaEventTypes)
	if len(sel.Skipped) > 0 {
		rc.log.Warn("okta targets without a usable email skipped", "okta_user_ids", sel.Skipped)
	}
	res := oktaResult{RequestID: rc.id, Events: sel.Events, Ignored: sel.Ignored, Skipped: len(sel.Skipped)}
	if len(sel.Emails) == 0 {
		return respond(200, rc.id, res)
	}
	req := &request.Request{Action: message.Revoke, Reason: "okta event hook"}
	conns := h.Config.OktaConnections
	if conns == nil {
		conns = []string{request.Wildcard}
	}
	for _, e := range sel.Emails {
		for _, c := range conns {
			req.Targets = append(req.Targets, request.Target{Connection: c, Email: e})
		}
	}
	msgs, err := request.Expand(req, h.Config, request.Meta{RequestID: rc.id, Source: "okta", RequestedAt: h.now()})
	if err != nil {
		rc.log.Error("okta: expand", "error", err)
		return unavailable(rc.id, "revoke is not configured for okta events", 60*time.Second)
	}
	for i := range msgs {
		msgs[i].Fanout = true // a leaver without an account somewhere is normal, not an error
	}
	resp := h.enqueue(ctx, rc, msgs, min(oktaBudget, h.budget()))
	if resp.StatusCode != 202 {
		return resp
	}
	res.Accepted = len(msgs)
	return respond(200, rc.id, res)
}

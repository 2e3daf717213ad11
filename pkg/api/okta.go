package api

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/revoke-dev/revoke/pkg/apigw"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/sync/errgroup"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/okta"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// refusedReason is why a person named only by an address outside
// ALLOWED_EMAIL_DOMAINS is unresolved.
const refusedReason = "the address is outside ALLOWED_EMAIL_DOMAINS"

// oktaBudget keeps the answer inside Okta's 3 s timeout.
const oktaBudget = 2500 * time.Millisecond

func (h *Handler) oktaVerify(_ context.Context, rc *reqCtx) events.APIGatewayV2HTTPResponse {
	v := apigw.Header(rc.req, "x-okta-verification-challenge")
	if v == "" || len(v) > 1024 {
		return respondError(400, rc.id, codeInvalid, "X-Okta-Verification-Challenge header is required", "X-Okta-Verification-Challenge")
	}
	return respond(200, rc.id, map[string]string{"verification": v})
}

type oktaResult struct {
	Events     int      `json:"events"`
	Ignored    int      `json:"ignored"`
	Skipped    int      `json:"skipped"`
	Accepted   int      `json:"accepted"`
	RequestIDs []string `json:"request_ids"`
}

// oktaEvents turns each configured, successful event of a delivery into
// one request keyed by the event's uuid (so a redelivery, or the same
// event arriving by the log stream, is a no-op).
func (h *Handler) oktaEvents(ctx context.Context, rc *reqCtx) events.APIGatewayV2HTTPResponse {
	body, errResp := jsonBody(rc)
	if errResp != nil {
		return *errResp
	}
	d, err := okta.Parse(body)
	if err != nil {
		return respondError(400, rc.id, codeInvalid, err.Error(), "")
	}
	sctx, cancel := budgeted(ctx, min(oktaBudget, h.budget()))
	defer cancel()
	res := oktaResult{RequestIDs: []string{}}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(sctx)
	g.SetLimit(8)
	for _, e := range d.Data.Events {
		p := e.Plan(h.Config.OktaEventTypes, h.Config.AllowedEmailDomains)
		if !p.Relevant {
			res.Ignored++
			continue
		}
		res.Events++
		res.Skipped += len(p.Skipped)
		if len(p.Skipped) > 0 {
			rc.log.Warn("okta User targets without a usable email skipped", "okta_user_ids", p.Skipped, "event_type", e.EventType)
		}
		for _, id := range p.Refused {
			u := ledger.Unresolved{Source: message.SourceOkta, UserID: id, EventID: p.Key, Key: p.Key, Reason: refusedReason}
			if err := h.Submit.Unresolved(sctx, u); err != nil {
				rc.log.Error("okta: recording an unresolved person failed; Okta retries the delivery", "error", err)
				return unavailable(rc.id, "not every event could be recorded", 1*time.Second)
			}
		}
		if len(p.Emails) == 0 {
			continue
		}
		sub := submit.Submission{Request: request.ForEvent(message.Revoke, p.Emails, h.Config.OktaConnections, p.Reason), Source: message.SourceOkta, Actor: rc.who.actor, Key: p.Key}
		g.Go(func() error {
			rcpt, err := h.Submit.Submit(gctx, sub)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				return err
			}
			res.Accepted += rcpt.Accepted
			res.RequestIDs = append(res.RequestIDs, rcpt.RequestID)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		var ue *submit.UnavailableError
		if errors.As(err, &ue) {
			rc.log.Error("okta: request not fully queued; Okta retries the delivery and queued events are not repeated", "stage", ue.Stage, "error", ue.Err)
			return unavailable(rc.id, "not every event could be recorded and queued", 1*time.Second)
		}
		rc.log.Error("okta: revoke is not configured for okta events", "error", err)
		return unavailable(rc.id, "revoke is not configured for okta events", 60*time.Second)
	}
	return respond(200, rc.id, res)
}

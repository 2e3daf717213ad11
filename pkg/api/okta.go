package api

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/revoke-dev/revoke/pkg/apigw"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/sync/errgroup"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/okta"
	"github.com/revoke-dev/revoke/pkg/submit"
)

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

// oktaEvents hands each configured, successful event of a delivery to the
// one intake of identity events: one request keyed by the event's uuid (so
// a redelivery, or the same event arriving by the log stream, is a no-op),
// and every User target without a usable address recorded unresolved.
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
		p := e.Plan(h.Config.OktaEventTypes)
		if !p.Relevant {
			res.Ignored++
			continue
		}
		res.Events++
		ev := submit.Event{Source: message.SourceOkta, Actor: rc.who.actor, Key: p.Key, Type: e.EventType, EventID: p.EventID, People: p.People}
		g.Go(func() error {
			in, err := h.Submit.Intake(gctx, ev)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				return err
			}
			res.Skipped += len(in.Unresolved)
			res.Accepted += in.Accepted
			if in.RequestID != "" {
				res.RequestIDs = append(res.RequestIDs, in.RequestID)
			}
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

package api

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/retry"
)

type accepted struct {
	RequestID string `json:"request_id"`
	Accepted  int    `json:"accepted"`
}

func (h *Handler) revocations(ctx context.Context, rc *reqCtx) events.APIGatewayV2HTTPResponse {
	body, errResp := jsonBody(rc)
	if errResp != nil {
		return *errResp
	}
	req, err := request.Parse(body, h.Config.MaxTargets)
	if err == nil {
		var msgs []message.Message
		if msgs, err = request.Expand(req, h.Config, request.Meta{RequestID: rc.id, Source: "api", RequestedAt: h.now()}); err == nil {
			rc.log = rc.log.With("action", req.Action, "targets", len(req.Targets))
			return h.enqueue(ctx, rc, msgs, h.budget())
		}
	}
	var fe *request.Error
	if errors.As(err, &fe) {
		return respondError(400, rc.id, codeInvalid, fe.Error(), fe.Field)
	}
	rc.log.Error("validate", "error", err)
	return respondError(400, rc.id, codeInvalid, "invalid request", "")
}

func (h *Handler) budget() time.Duration {
	if h.Budget > 0 {
		return h.Budget
	}
	return 10 * time.Second
}

// enqueue sends msgs within budget (and before the Lambda deadline) and
// answers 202, or 503 if any message could not be sent.
func (h *Handler) enqueue(ctx context.Context, rc *reqCtx, msgs []message.Message, budget time.Duration) events.APIGatewayV2HTTPResponse {
	out := make([]queue.Outgoing, len(msgs))
	for i := range msgs {
		body, err := msgs[i].Encode()
		if err != nil {
			rc.log.Error("encode message", "error", err)
			return respondError(500, rc.id, codeInternal, "internal error", "")
		}
		out[i] = queue.Outgoing{Body: body}
	}
	if dl, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(dl)-500*time.Millisecond)
	}
	sctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	p := h.SendPolicy
	if p.Attempts == 0 {
		p = retry.Policy{Attempts: 6, Base: 50 * time.Millisecond, Max: time.Second}
	}
	unsent, err := queue.SendAll(sctx, h.Queue, h.Config.QueueURL, out, p)
	if len(unsent) > 0 {
		sent, notSent := split(msgs, unsent)
		rc.log.Error("enqueue incomplete", "error", err, "enqueued", len(sent), "not_enqueued", len(notSent),
			"enqueued_targets", sent, "not_enqueued_targets", notSent)
		return unavailable(rc.id, "the queue could not take every target; nothing is lost by retrying the whole request", 5*time.Second)
	}
	rc.log.Info("enqueued", "accepted", len(msgs))
	return respond(202, rc.id, accepted{RequestID: rc.id, Accepted: len(msgs)})
}

// split names the targets that were and were not enqueued, for the log.
func split(msgs []message.Message, unsent []int) (sent, notSent []string) {
	j := 0
	for i := range msgs {
		name := msgs[i].Connection + ":" + msgs[i].Subject()
		if j < len(unsent) && unsent[j] == i {
			notSent = append(notSent, name)
			j++
			continue
		}
		sent = append(sent, name)
	}
	return sent, notSent
}

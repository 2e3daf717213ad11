package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/apigw"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// MaxIdempotencyKey bounds an Idempotency-Key.
const MaxIdempotencyKey = 128

func (h *Handler) revocations(ctx context.Context, rc *reqCtx) events.APIGatewayV2HTTPResponse {
	p := rc.who.principal
	if !p.Has(auth.ScopeRevoke) && !p.Has(auth.ScopeRestore) {
		return forbidden(rc.id, auth.ScopeRevoke)
	}
	body, errResp := jsonBody(rc)
	if errResp != nil {
		return *errResp
	}
	req, err := request.Parse(body, h.Config.MaxTargets)
	if err != nil {
		return badRequest(rc, err)
	}
	if need := scopeOf(req.Action); !p.Has(need) {
		return forbidden(rc.id, need)
	}
	key := apigw.Header(rc.req, "idempotency-key")
	if _, present := headerPresent(rc.req, "idempotency-key"); present && !validKey(key) {
		return respondError(400, rc.id, codeInvalid, "Idempotency-Key must be 1-128 of [A-Za-z0-9._:-]", "Idempotency-Key")
	}
	sub := submit.Submission{Request: req, Source: message.SourceAPI, Actor: rc.who.actor, RequestID: rc.id}
	if key != "" {
		sub.Key, sub.BodyHash = "idem:"+rc.who.actor+":"+key, hash(req)
	}
	rc.log = rc.log.With("action", req.Action, "targets", len(req.Targets), "dry_run", req.DryRun)
	return h.submit(ctx, rc, sub, h.budget(), 202)
}

func scopeOf(a message.Action) auth.Scope {
	if a == message.Restore {
		return auth.ScopeRestore
	}
	return auth.ScopeRevoke
}

// submit makes a request through the one request path and answers.
func (h *Handler) submit(ctx context.Context, rc *reqCtx, sub submit.Submission, budget time.Duration, okStatus int) events.APIGatewayV2HTTPResponse {
	sctx, cancel := budgeted(ctx, budget)
	defer cancel()
	rcpt, err := h.Submit.Submit(sctx, sub)
	var ue *submit.UnavailableError
	switch {
	case err == nil:
		rc.log.Info("accepted", "revoke_request_id", rcpt.RequestID, "accepted", rcpt.Accepted, "repeat", rcpt.Repeat)
		return respond(okStatus, rc.id, rcpt)
	case errors.Is(err, submit.ErrConflict):
		return respondError(409, rc.id, codeConflict, "this Idempotency-Key was used with a different request", "Idempotency-Key")
	case errors.As(err, &ue):
		rc.log.Error("request not fully queued", "stage", ue.Stage, "error", ue.Err, "queued", len(ue.Queued), "not_queued", len(ue.Missing),
			"queued_targets", ue.Queued, "not_queued_targets", ue.Missing)
		return unavailable(rc.id, "the request could not be recorded and queued; repeating it (with the same Idempotency-Key) is safe", 5*time.Second)
	}
	return badRequest(rc, err)
}

func badRequest(rc *reqCtx, err error) events.APIGatewayV2HTTPResponse {
	var fe *request.Error
	if errors.As(err, &fe) {
		return respondError(400, rc.id, codeInvalid, fe.Error(), fe.Field)
	}
	rc.log.Error("validate", "error", err)
	return respondError(400, rc.id, codeInvalid, "invalid request", "")
}

// hash identifies a request's content for Idempotency-Key conflicts
// (the parsed request, so formatting differences do not conflict).
func hash(r *request.Request) string {
	b, _ := json.Marshal(r)
	d := sha256.Sum256(b)
	return hex.EncodeToString(d[:16])
}

func validKey(k string) bool {
	if k == "" || len(k) > MaxIdempotencyKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

func headerPresent(req *events.APIGatewayV2HTTPRequest, name string) (string, bool) {
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

package api

import (
	"context"
	"encoding/base64"
	"log/slog"
	"maps"
	"mime"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// Handler serves the HTTP API. Build it once per container; it is safe for
// concurrent use.
type Handler struct {
	Config *config.Config
	Auth   *auth.Authenticator
	Queue  queue.Sender
	Log    *slog.Logger

	// SendPolicy retries refused queue entries (zero: a default).
	SendPolicy retry.Policy
	// Budget bounds the time spent enqueueing one request (zero: 10 s; Okta
	// deliveries get at most 2.5 s whatever this says).
	Budget time.Duration
	// Now and NewID are injectable for tests (nil: time.Now, message.NewID).
	Now   func() time.Time
	NewID func() string
}

type serveFunc func(h *Handler, ctx context.Context, rc *reqCtx) events.APIGatewayV2HTTPResponse

// routes: path → method → handler. The Allow header is derived from it.
var routes = map[string]map[string]serveFunc{
	"/revocations": {"POST": (*Handler).revocations},
	"/hooks/okta":  {"GET": (*Handler).oktaVerify, "POST": (*Handler).oktaEvents},
}

// reqCtx is one request as the routes see it.
type reqCtx struct {
	id      string
	req     *events.APIGatewayV2HTTPRequest
	log     *slog.Logger
	started time.Time
}

// Handle is the Lambda handler. It never returns an error: every failure
// is an HTTP response, and internal error text stays in the log.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, _ error) {
	rc := &reqCtx{id: h.newID(), req: &req, started: h.now()}
	method := strings.ToUpper(req.RequestContext.HTTP.Method)
	path := routePath(&req)
	rc.log = h.Log.With("request_id", rc.id, "aws_request_id", req.RequestContext.RequestID, "method", method, "path", path)
	defer func() {
		if p := recover(); p != nil {
			rc.log.Error("panic in handler", "panic", p)
			resp = respondError(500, rc.id, codeInternal, "internal error", "")
		}
		rc.log.Info("request", "status", resp.StatusCode, "duration_ms", h.now().Sub(rc.started).Milliseconds())
	}()

	methods, ok := routes[path]
	if !ok {
		return respondError(404, rc.id, codeNotFound, "no such route", ""), nil
	}
	serve, ok := methods[method]
	if !ok {
		allow := strings.Join(slices.Sorted(maps.Keys(methods)), ", ")
		return withHeader(respondError(405, rc.id, codeMethodNotAllowed, "method not allowed; allowed: "+allow, ""), "Allow", allow), nil
	}
	switch verdict, err := h.Auth.Check(ctx, header(&req, "authorization")); verdict {
	case auth.Unauthorized:
		return respondError(401, rc.id, codeUnauthorized, "missing or invalid bearer token", ""), nil
	case auth.Unavailable:
		rc.log.Error("authentication unavailable", "error", err)
		return unavailable(rc.id, "authentication is not available", 30*time.Second), nil
	}
	return serve(h, ctx, rc), nil
}

// routePath is the request path without a named stage prefix or trailing slash.
func routePath(req *events.APIGatewayV2HTTPRequest) string {
	p := req.RawPath
	if p == "" {
		p = req.RequestContext.HTTP.Path
	}
	if st := req.RequestContext.Stage; st != "" && st != "$default" {
		if rest, ok := strings.CutPrefix(p, "/"+st+"/"); ok {
			p = "/" + rest
		}
	}
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	return p
}

// header looks a header up case-insensitively (payload v2 lower-cases
// names, but sam local and hand-made events may not).
func header(req *events.APIGatewayV2HTTPRequest, name string) string {
	if v, ok := req.Headers[name]; ok {
		return v
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// jsonBody checks the content type and size and returns the decoded body,
// or the error response to send.
func jsonBody(rc *reqCtx) ([]byte, *events.APIGatewayV2HTTPResponse) {
	mt, _, err := mime.ParseMediaType(header(rc.req, "content-type"))
	if err != nil || mt != "application/json" {
		r := respondError(415, rc.id, codeUnsupportedMedia, "Content-Type must be application/json", "")
		return nil, &r
	}
	tooLarge := respondError(413, rc.id, codeTooLarge, "body is larger than 256 KiB", "")
	body := rc.req.Body
	if !rc.req.IsBase64Encoded {
		if len(body) > request.MaxBodyBytes {
			return nil, &tooLarge
		}
		return []byte(body), nil
	}
	if base64.StdEncoding.DecodedLen(len(body)) > request.MaxBodyBytes+3 {
		return nil, &tooLarge
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		r := respondError(400, rc.id, codeInvalid, "body is not valid base64", "")
		return nil, &r
	}
	if len(b) > request.MaxBodyBytes {
		return nil, &tooLarge
	}
	return b, nil
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) newID() string {
	if h.NewID != nil {
		return h.NewID()
	}
	return message.NewID()
}

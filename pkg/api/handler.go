package api

import (
	"context"
	"log/slog"
	"maps"
	"mime"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/apigw"
	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// SCIMHandler serves the SCIM front door (/scim/v2/…) with its own
// authentication and error format (*scimapi.Handler is one).
type SCIMHandler interface {
	Serve(ctx context.Context, req *events.APIGatewayV2HTTPRequest, path, requestID string, log *slog.Logger) events.APIGatewayV2HTTPResponse
}

// Handler serves the HTTP API. Build it once per container; it is safe for
// concurrent use.
type Handler struct {
	Config *config.Config
	Auth   *auth.Authenticator // the API tokens (/revocations, /hooks/okta)
	Submit *submit.Submitter   // the one request path
	Ledger *ledger.Ledger      // status and history
	SCIM   SCIMHandler         // /scim/v2 (nil: 404)
	Log    *slog.Logger

	// Budget bounds the time spent recording and queueing one request
	// (zero: 10 s; Okta deliveries get at most 2.5 s whatever this says).
	Budget time.Duration
	// Now and NewID are injectable for tests (nil: time.Now, message.NewID).
	Now   func() time.Time
	NewID func() string
}

// caller is who made a request.
type caller struct {
	actor     string
	principal auth.Principal
}

type serveFunc func(h *Handler, ctx context.Context, rc *reqCtx) events.APIGatewayV2HTTPResponse

// route is one path's methods and the scope each needs ("" for a route
// whose scope depends on the body: POST /revocations).
type route struct {
	methods map[string]serveFunc
	scopes  map[string]auth.Scope
	iam     bool // AUTH_MODE=iam puts API Gateway's IAM authorizer on it
}

// routes: path pattern → route. The Allow header is derived from it.
var routes = map[string]route{
	"/revocations": {
		methods: map[string]serveFunc{"POST": (*Handler).revocations, "GET": (*Handler).history},
		scopes:  map[string]auth.Scope{"GET": auth.ScopeRead}, iam: true,
	},
	"/revocations/{id}": {
		methods: map[string]serveFunc{"GET": (*Handler).status},
		scopes:  map[string]auth.Scope{"GET": auth.ScopeRead}, iam: true,
	},
	"/orphans": {
		methods: map[string]serveFunc{"GET": (*Handler).orphans},
		scopes:  map[string]auth.Scope{"GET": auth.ScopeRead}, iam: true,
	},
	"/orphans/revoke": {
		methods: map[string]serveFunc{"POST": (*Handler).orphansRevoke},
		scopes:  map[string]auth.Scope{"POST": auth.ScopeRevoke}, iam: true,
	},
	"/hooks/okta": {
		methods: map[string]serveFunc{"GET": (*Handler).oktaVerify, "POST": (*Handler).oktaEvents},
		scopes:  map[string]auth.Scope{"GET": auth.ScopeOkta, "POST": auth.ScopeOkta},
	},
}

// reqCtx is one request as the routes see it.
type reqCtx struct {
	id      string
	req     *events.APIGatewayV2HTTPRequest
	log     *slog.Logger
	started time.Time
	param   string // the {id} of a pattern
	who     caller
}

// Handle is the Lambda handler. It never returns an error: every failure
// is an HTTP response, and internal error text stays in the log.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, _ error) {
	rc := &reqCtx{id: h.newID(), req: &req, started: h.now()}
	method := strings.ToUpper(req.RequestContext.HTTP.Method)
	path := routePath(&req)
	rc.log = h.Log.With("request_id", rc.id, "aws_request_id", req.RequestContext.RequestID, "method", method, "path", logPath(path))
	defer func() {
		if p := recover(); p != nil {
			rc.log.Error("panic in handler", "stack", string(debug.Stack()))
			resp = respondError(500, rc.id, codeInternal, "internal error", "")
		}
		rc.log.Info("request", "status", resp.StatusCode, "actor", rc.who.actor, "duration_ms", h.now().Sub(rc.started).Milliseconds())
	}()

	if path == "/scim/v2" || strings.HasPrefix(path, "/scim/v2/") {
		if h.SCIM == nil {
			return respondError(404, rc.id, codeNotFound, "no such route", ""), nil
		}
		return h.SCIM.Serve(ctx, &req, strings.TrimPrefix(path, "/scim/v2"), rc.id, rc.log), nil
	}
	rt, param, ok := match(path)
	if !ok {
		return respondError(404, rc.id, codeNotFound, "no such route", ""), nil
	}
	rc.param = param
	serve, ok := rt.methods[method]
	if !ok {
		allow := strings.Join(slices.Sorted(maps.Keys(rt.methods)), ", ")
		return withHeader(respondError(405, rc.id, codeMethodNotAllowed, "method not allowed; allowed: "+allow, ""), "Allow", allow), nil
	}
	if r, ok := h.authenticate(ctx, rc, rt); !ok {
		return r, nil
	}
	if sc := rt.scopes[method]; sc != "" && !rc.who.principal.Has(sc) {
		return forbidden(rc.id, sc), nil
	}
	return serve(h, ctx, rc), nil
}

// authenticate decides who the caller is, or the 401/503 to answer.
func (h *Handler) authenticate(ctx context.Context, rc *reqCtx, rt route) (events.APIGatewayV2HTTPResponse, bool) {
	if rt.iam && h.Config.AuthMode == "iam" {
		// API Gateway's IAM authorizer has checked the caller and names it;
		// an IAM caller holds every scope. A request without the caller's
		// ARN did not pass the authorizer (a misrouted or direct invocation):
		// refused, never an anonymous "iam:unknown".
		arn := ""
		if a := rc.req.RequestContext.Authorizer; a != nil && a.IAM != nil {
			arn = a.IAM.UserARN
		}
		if !strings.HasPrefix(arn, "arn:") || message.CheckText(arn) != nil || len(arn) > 2048 {
			rc.log.Warn("iam mode: the request carries no caller ARN from API Gateway's IAM authorizer; refused")
			return respondError(401, rc.id, codeUnauthorized, "no IAM caller: sign the request with SigV4", ""), false
		}
		rc.who = caller{actor: "iam:" + arn, principal: auth.Principal{Name: arn, Scopes: auth.AllScopes}}
		return events.APIGatewayV2HTTPResponse{}, true
	}
	p, verdict, err := h.Auth.Check(ctx, apigw.Header(rc.req, "authorization"))
	switch verdict {
	case auth.Unauthorized:
		return respondError(401, rc.id, codeUnauthorized, "missing or invalid bearer token", ""), false
	case auth.Unavailable:
		rc.log.Error("authentication unavailable", "error", err)
		return unavailable(rc.id, "authentication is not available", 30*time.Second), false
	}
	rc.who = caller{actor: "token:" + p.Name, principal: p}
	return events.APIGatewayV2HTTPResponse{}, true
}

// match finds the route of a path ("/revocations/<id>" matches
// "/revocations/{id}").
func match(path string) (route, string, bool) {
	if rt, ok := routes[path]; ok {
		return rt, "", true
	}
	if id, ok := strings.CutPrefix(path, "/revocations/"); ok && id != "" && !strings.Contains(id, "/") {
		return routes["/revocations/{id}"], id, true
	}
	return route{}, "", false
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

// logPath keeps a path fit for a log line (bounded, no control characters).
func logPath(p string) string { return message.Trim(p, 256) }

// query returns a query string parameter (the first value). The raw
// query string is read when API Gateway gives it, with "+" kept as a plus
// (addresses have them; nobody means a space there).
func query(req *events.APIGatewayV2HTTPRequest, name string) (string, bool) {
	if req.RawQueryString != "" {
		for _, kv := range strings.Split(req.RawQueryString, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if k, err := url.PathUnescape(k); err != nil || k != name {
				continue
			}
			if v, err := url.PathUnescape(v); err == nil {
				return v, true
			}
			return "", true
		}
		return "", false
	}
	v, ok := req.QueryStringParameters[name]
	if i := strings.IndexByte(v, ','); ok && i >= 0 {
		v = v[:i] // API Gateway joins repeated parameters with commas
	}
	return v, ok
}

// jsonBody checks the content type and size and returns the decoded body,
// or the error response to send.
func jsonBody(rc *reqCtx) ([]byte, *events.APIGatewayV2HTTPResponse) {
	mt, _, err := mime.ParseMediaType(apigw.Header(rc.req, "content-type"))
	if err != nil || mt != "application/json" {
		r := respondError(415, rc.id, codeUnsupportedMedia, "Content-Type must be application/json", "")
		return nil, &r
	}
	b, tooLarge, err := apigw.Body(rc.req, request.MaxBodyBytes)
	switch {
	case tooLarge:
		r := respondError(413, rc.id, codeTooLarge, "body is larger than 256 KiB", "")
		return nil, &r
	case err != nil:
		r := respondError(400, rc.id, codeInvalid, "body is not valid base64", "")
		return nil, &r
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

func (h *Handler) budget() time.Duration {
	if h.Budget > 0 {
		return h.Budget
	}
	return 10 * time.Second
}

// budgeted bounds ctx by budget and the Lambda deadline.
func budgeted(ctx context.Context, budget time.Duration) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(dl)-500*time.Millisecond)
	}
	return context.WithTimeout(ctx, max(budget, 100*time.Millisecond))
}

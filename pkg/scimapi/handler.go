package scimapi

import (
	"context"
	"log/slog"
	"mime"
	"net/url"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/apigw"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// MaxBodyBytes bounds a SCIM request body (256 KiB).
const MaxBodyBytes = 256 << 10

// MaxResults is the most resources one list answers.
const MaxResults = 100

// Handler serves /scim/v2. Safe for concurrent use.
type Handler struct {
	// Restore: re-activating a user restores what its deactivation
	// revoked (SCIM_RESTORE).
	Restore bool
	Auth    *auth.Authenticator // SCIM_TOKENS_SECRET_ID; unset fails closed (503)
	Ledger  *ledger.Ledger
	Submit  *submit.Submitter
	// Now and NewID are injectable for tests (nil: time.Now, message.NewID).
	Now   func() time.Time
	NewID func() string
}

// call is one SCIM request.
type call struct {
	id    string
	req   *events.APIGatewayV2HTTPRequest
	log   *slog.Logger
	actor string
	owner string     // the token's IdP (auth.Principal.IdP): the users it may see and change
	base  string     // the absolute /scim/v2 URL, for meta.location
	query url.Values // decoded from the raw query string ("+" is a space)
}

// Serve answers one request; path is what follows /scim/v2.
func (h *Handler) Serve(ctx context.Context, req *events.APIGatewayV2HTTPRequest, path, requestID string, log *slog.Logger) events.APIGatewayV2HTTPResponse {
	c := &call{id: requestID, req: req, log: log, base: baseURL(req), query: queryOf(req)}
	if h.Auth == nil || h.Auth.SecretID == "" {
		return fail(503, c.id, "", "the SCIM front door is not configured (SCIM_TOKENS_SECRET_ID)")
	}
	p, verdict, err := h.Auth.Check(ctx, apigw.Header(req, "authorization"))
	switch verdict {
	case auth.Unauthorized:
		r := fail(401, c.id, "", "missing or invalid bearer token")
		r.Headers["WWW-Authenticate"] = `Bearer realm="revoke-scim"`
		return r
	case auth.Unavailable:
		log.Error("scim: authentication unavailable", "error", err)
		r := fail(503, c.id, "", "authentication is not available")
		r.Headers["Retry-After"] = "30"
		return r
	}
	// The users a token sees are its IdP's, not its own: a rotated token
	// (a new name, the same idp) keeps the IdP's users.
	c.actor, c.owner = "scim:"+p.Name, p.IdP
	if c.owner == "" {
		c.owner = p.Name
	}
	method := strings.ToUpper(req.RequestContext.HTTP.Method)
	seg := strings.Split(strings.Trim(path, "/"), "/")
	if seg[0] == "Users" {
		need := auth.ScopeSCIMWrite
		if method == "GET" {
			need = auth.ScopeSCIMRead
		}
		if !hasSCIMScope(p, need) {
			return fail(403, c.id, "", "the token lacks scope "+string(need))
		}
	}
	switch {
	case path == "" || path == "/":
		return fail(404, c.id, "", "no such resource")
	case len(seg) == 1 && seg[0] == "ServiceProviderConfig":
		return only(c, method, "GET", func() events.APIGatewayV2HTTPResponse { return respond(200, c.id, serviceProviderConfig(c.base)) })
	case seg[0] == "ResourceTypes" && len(seg) <= 2:
		return only(c, method, "GET", func() events.APIGatewayV2HTTPResponse { return resourceTypes(c, seg[1:]) })
	case seg[0] == "Schemas" && len(seg) <= 2:
		return only(c, method, "GET", func() events.APIGatewayV2HTTPResponse { return schemas(c, seg[1:]) })
	case seg[0] == "Groups" && len(seg) <= 2:
		if method == "GET" && len(seg) == 1 {
			return respond(200, c.id, list(0, 1, nil))
		}
		if method == "GET" {
			return fail(404, c.id, "", "no such group")
		}
		return fail(501, c.id, "", "revoke does not manage groups")
	case seg[0] == "Users" && len(seg) == 1:
		switch method {
		case "GET":
			return h.list(ctx, c)
		case "POST":
			return h.create(ctx, c)
		}
		return notAllowed(c, "GET, POST")
	case seg[0] == "Users" && len(seg) == 2:
		switch method {
		case "GET":
			return h.get(ctx, c, seg[1])
		case "PUT":
			return h.replace(ctx, c, seg[1])
		case "PATCH":
			return h.patch(ctx, c, seg[1])
		case "DELETE":
			return h.delete(ctx, c, seg[1])
		}
		return notAllowed(c, "DELETE, GET, PATCH, PUT")
	case seg[0] == "Bulk" || seg[0] == "Me":
		return fail(501, c.id, "", "not supported")
	}
	return fail(404, c.id, "", "no such resource")
}

// hasSCIMScope: a SCIM token that lists no scope holds scim:read and
// scim:write (a plain token, or a named one from before scopes were read);
// one that lists scopes holds only those.
func hasSCIMScope(p auth.Principal, s auth.Scope) bool {
	return len(p.Scopes) == 0 || p.Has(s)
}

func only(c *call, method, want string, serve func() events.APIGatewayV2HTTPResponse) events.APIGatewayV2HTTPResponse {
	if method != want {
		return notAllowed(c, want)
	}
	return serve()
}

func notAllowed(c *call, allow string) events.APIGatewayV2HTTPResponse {
	r := fail(405, c.id, "", "method not allowed; allowed: "+allow)
	r.Headers["Allow"] = allow
	return r
}

// body checks a request body's media type and size and decodes it, or
// returns the error response.
func (h *Handler) body(c *call) ([]byte, *events.APIGatewayV2HTTPResponse) {
	if ct := apigw.Header(c.req, "content-type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != MediaType && mt != "application/json") {
			r := fail(415, c.id, "", "Content-Type must be application/scim+json or application/json")
			return nil, &r
		}
	}
	b, tooLarge, err := apigw.Body(c.req, MaxBodyBytes)
	switch {
	case tooLarge:
		r := fail(413, c.id, "", "the body is larger than 256 KiB")
		return nil, &r
	case err != nil:
		r := fail(400, c.id, typeInvalidSyntax, "the body is not valid base64")
		return nil, &r
	}
	return b, nil
}

// queryOf decodes the raw query string when API Gateway gives it (so "+"
// reads as a space, as the IdPs mean it), else the decoded parameters.
func queryOf(req *events.APIGatewayV2HTTPRequest) url.Values {
	if req.RawQueryString != "" {
		if v, err := url.ParseQuery(req.RawQueryString); err == nil {
			return v
		}
	}
	v := url.Values{}
	for k, val := range req.QueryStringParameters {
		v.Set(k, val)
	}
	return v
}

// baseURL is the absolute URL of /scim/v2 as the caller reached it.
func baseURL(req *events.APIGatewayV2HTTPRequest) string {
	d := req.RequestContext.DomainName
	if d == "" {
		d = apigw.Header(req, "host")
	}
	if d == "" || message.CheckText(d) != nil || strings.ContainsAny(d, "/\\?#@ ") || len(d) > 253 {
		return "/scim/v2"
	}
	prefix := ""
	if st := req.RequestContext.Stage; st != "$default" && stageName(st) {
		prefix = "/" + st
	}
	return "https://" + d + prefix + "/scim/v2"
}

// stageName reports whether s is an API Gateway stage name as API Gateway
// allows one: 1–128 characters of [A-Za-z0-9_-] ("$default" aside).
func stageName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
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

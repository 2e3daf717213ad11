package scimapi

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/revoke-dev/revoke/pkg/apigw"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

func (c *call) location(id string) string { return c.base + "/Users/" + id }

// one answers a single resource with its ETag (and Location on 201).
func (c *call) one(status int, u ledger.SCIMUser) events.APIGatewayV2HTTPResponse {
	loc := c.location(u.ID)
	r := respond(status, c.id, toJSON(u, loc))
	r.Headers["ETag"] = etag(u)
	if status == 201 {
		r.Headers["Location"] = loc
	}
	return r
}

func (c *call) badRequest(err error) events.APIGatewayV2HTTPResponse {
	var bv *badValue
	if errors.As(err, &bv) {
		return fail(400, c.id, bv.scimType, bv.detail)
	}
	return fail(400, c.id, typeInvalidValue, "invalid request")
}

func (c *call) unavailable(what string, err error) events.APIGatewayV2HTTPResponse {
	c.log.Error("scim: "+what, "error", err)
	r := fail(503, c.id, "", what+" is not available; retry")
	r.Headers["Retry-After"] = "5"
	return r
}

// MaxIndex bounds startIndex and count: a larger value is refused (400
// invalidValue), so no arithmetic on them can overflow.
const MaxIndex = 1_000_000_000

// intParam reads an integer query parameter of at most MaxIndex (a
// negative one is RFC 7644's "as 1" or "as 0", applied by the caller).
func intParam(c *call, name string, def int) (int, bool) {
	v := c.query.Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n > MaxIndex || n < -MaxIndex {
		return 0, false
	}
	return n, true
}

// list answers GET /Users with an optional filter, paged by startIndex
// (1-based) and count.
func (h *Handler) list(ctx context.Context, c *call) events.APIGatewayV2HTTPResponse {
	start, ok1 := intParam(c, "startIndex", 1)
	count, ok2 := intParam(c, "count", MaxResults)
	if !ok1 || !ok2 {
		return fail(400, c.id, typeInvalidValue, "startIndex and count must be integers of at most "+strconv.Itoa(MaxIndex))
	}
	start, count = max(start, 1), min(max(count, 0), MaxResults)
	var users []ledger.SCIMUser
	var total int
	var err error
	if f := c.query.Get("filter"); strings.TrimSpace(f) != "" {
		flt, ferr := ParseFilter(f)
		if ferr != nil {
			return fail(400, c.id, typeInvalidFilter, ferr.Error())
		}
		if users, err = h.find(ctx, c, flt); err == nil {
			total = len(users)
			users = users[min(start-1, len(users)):min(start-1+count, len(users))]
		}
	} else {
		users, total, err = h.Ledger.SCIMUsers(ctx, c.owner, start-1, count)
	}
	if err != nil {
		return c.unavailable("the user store", err)
	}
	res := make([]any, len(users))
	for i, u := range users {
		res[i] = toJSON(u, c.location(u.ID))
	}
	return respond(200, c.id, list(total, start, res))
}

// find answers a filter with the caller's users only.
func (h *Handler) find(ctx context.Context, c *call, f Filter) ([]ledger.SCIMUser, error) {
	var found []ledger.SCIMUser
	var u *ledger.SCIMUser
	var err error
	switch f.Attr {
	case "userName":
		u, err = h.Ledger.SCIMUserByName(ctx, f.Value)
	case "id":
		if message.IsID(f.Value) {
			u, err = h.Ledger.SCIMUser(ctx, strings.ToLower(f.Value))
		}
	case "externalId":
		found, err = h.Ledger.SCIMUsersByExternalID(ctx, f.Value)
	case "emails.value":
		found, err = h.Ledger.SCIMUsersByEmail(ctx, f.Value)
	}
	if err != nil {
		return nil, err
	}
	if u != nil {
		found = append(found, *u)
	}
	out := found[:0]
	for _, u := range found {
		if c.owns(u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// owns reports whether the caller may see and change a user: its own, or
// one stored before owners were kept (adopted by the first change).
func (c *call) owns(u ledger.SCIMUser) bool { return u.Owner == "" || u.Owner == c.owner }

func (h *Handler) create(ctx context.Context, c *call) events.APIGatewayV2HTTPResponse {
	b, bad := h.body(c)
	if bad != nil {
		return *bad
	}
	u, _, err := userFromBody(b)
	if err != nil {
		return c.badRequest(err)
	}
	u.ID, u.Owner = h.newID(), c.owner
	u.Created = h.now().UTC()
	u.LastModified = u.Created
	switch err := h.Ledger.CreateSCIMUser(ctx, u); {
	case errors.Is(err, ledger.ErrUniqueness):
		return fail(409, c.id, typeUniqueness, "a user with this userName exists")
	case err != nil:
		return c.unavailable("the user store", err)
	}
	u.Version = 1
	c.log.Info("scim: user created", "scim_user_id", u.ID, "active", u.Active)
	return c.one(201, u)
}

// load reads a user, or answers 404 for any id revoke did not issue.
func (h *Handler) load(ctx context.Context, c *call, id string) (*ledger.SCIMUser, *events.APIGatewayV2HTTPResponse) {
	var u *ledger.SCIMUser
	var err error
	if message.IsID(id) {
		u, err = h.Ledger.SCIMUser(ctx, strings.ToLower(id))
	}
	if err != nil {
		r := c.unavailable("the user store", err)
		return nil, &r
	}
	if u == nil || !c.owns(*u) {
		// Another token's user is answered as no user at all.
		r := fail(404, c.id, "", "Resource "+message.Trim(id, 64)+" not found")
		return nil, &r
	}
	return u, nil
}

func (h *Handler) get(ctx context.Context, c *call, id string) events.APIGatewayV2HTTPResponse {
	u, bad := h.load(ctx, c, id)
	if bad != nil {
		return *bad
	}
	return c.one(200, *u)
}

// preconditionFailed checks If-Match against the user's version.
func (c *call) preconditionFailed(u ledger.SCIMUser) *events.APIGatewayV2HTTPResponse {
	im := strings.TrimSpace(apigw.Header(c.req, "if-match"))
	if im == "" || im == "*" {
		return nil
	}
	for _, tag := range strings.Split(im, ",") {
		tag = strings.TrimSpace(tag)
		if tag == etag(u) || "W/"+tag == etag(u) {
			return nil
		}
	}
	r := fail(412, c.id, "", "If-Match does not match the current version "+etag(u))
	return &r
}

// modify is a read-modify-write of one user: change computes the new
// state from the current one; the state change (if any) is made before the
// user is saved, so an IdP that retries after a failure cannot lose it.
func (h *Handler) modify(ctx context.Context, c *call, id string, change func(cur ledger.SCIMUser) (ledger.SCIMUser, error)) events.APIGatewayV2HTTPResponse {
	for attempt := 0; ; attempt++ {
		cur, bad := h.load(ctx, c, id)
		if bad != nil {
			return *bad
		}
		if bad := c.preconditionFailed(*cur); bad != nil {
			return *bad
		}
		next, err := change(*cur)
		if err != nil {
			return c.badRequest(err)
		}
		next.LastModified = h.now().UTC()
		next.Owner, next.RevokedBy = c.owner, cur.RevokedBy
		// Checked before anything is queued: a change that would end in
		// 409 revokes nothing.
		if bad := h.nameTaken(ctx, c, *cur, next); bad != nil {
			return *bad
		}
		if resp := h.transition(ctx, c, *cur, &next); resp != nil {
			return *resp
		}
		saved, err := h.Ledger.ReplaceSCIMUser(ctx, *cur, next)
		switch {
		case errors.Is(err, ledger.ErrUniqueness):
			return fail(409, c.id, typeUniqueness, "a user with this userName exists")
		case errors.Is(err, ledger.ErrVersion) && attempt < 2:
			continue // changed meanwhile: read it again
		case errors.Is(err, ledger.ErrVersion):
			return fail(409, c.id, "", "the user changed meanwhile; retry")
		case err != nil:
			return c.unavailable("the user store", err)
		}
		return c.one(200, saved)
	}
}

// nameTaken answers 409 when a changed userName is another user's.
func (h *Handler) nameTaken(ctx context.Context, c *call, cur, next ledger.SCIMUser) *events.APIGatewayV2HTTPResponse {
	if strings.EqualFold(cur.UserName, next.UserName) {
		return nil
	}
	other, err := h.Ledger.SCIMUserByName(ctx, next.UserName)
	switch {
	case err != nil:
		r := c.unavailable("the user store", err)
		return &r
	case other != nil && other.ID != cur.ID:
		r := fail(409, c.id, typeUniqueness, "a user with this userName exists")
		return &r
	}
	return nil
}

func (h *Handler) replace(ctx context.Context, c *call, id string) events.APIGatewayV2HTTPResponse {
	b, bad := h.body(c)
	if bad != nil {
		return *bad
	}
	u, activeSet, err := userFromBody(b)
	if err != nil {
		return c.badRequest(err)
	}
	return h.modify(ctx, c, id, func(cur ledger.SCIMUser) (ledger.SCIMUser, error) {
		if !activeSet {
			u.Active = cur.Active // a PUT that does not say keeps the state
		}
		return u, nil
	})
}

func (h *Handler) patch(ctx context.Context, c *call, id string) events.APIGatewayV2HTTPResponse {
	b, bad := h.body(c)
	if bad != nil {
		return *bad
	}
	ops, err := ParsePatch(b)
	if err != nil {
		return c.badRequest(err)
	}
	return h.modify(ctx, c, id, func(cur ledger.SCIMUser) (ledger.SCIMUser, error) { return Apply(cur, ops) })
}

func (h *Handler) delete(ctx context.Context, c *call, id string) events.APIGatewayV2HTTPResponse {
	for attempt := 0; ; attempt++ {
		cur, bad := h.load(ctx, c, id)
		if bad != nil {
			return *bad
		}
		if bad := c.preconditionFailed(*cur); bad != nil {
			return *bad
		}
		if resp := h.transition(ctx, c, *cur, nil); resp != nil {
			return *resp
		}
		err := h.Ledger.DeleteSCIMUser(ctx, *cur)
		switch {
		case errors.Is(err, ledger.ErrVersion) && attempt < 2:
			continue
		case err != nil:
			return c.unavailable("the user store", err)
		}
		c.log.Info("scim: user deleted", "scim_user_id", cur.ID)
		return events.APIGatewayV2HTTPResponse{StatusCode: 204, Headers: map[string]string{"X-Request-Id": c.id}}
	}
}

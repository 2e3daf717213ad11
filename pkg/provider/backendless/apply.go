package backendless

import (
	"context"
	"net/http"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

// Revoke sets userStatus DISABLED on each user, concurrently within the
// rate limit.
func (c *Client) Revoke(ctx context.Context, users []provider.User) []provider.Result {
	return c.setStatus(ctx, users, statusDisabled)
}

// Restore sets userStatus ENABLED on each user.
func (c *Client) Restore(ctx context.Context, users []provider.User) []provider.Result {
	return c.setStatus(ctx, users, statusEnabled)
}

// The userStatus values revoke sets.
const (
	statusDisabled = "DISABLED"
	statusEnabled  = "ENABLED"
)

func (c *Client) setStatus(ctx context.Context, users []provider.User, status string) []provider.Result {
	return rest.ApplyEach(ctx, users, 16, func(ctx context.Context, u provider.User) provider.Result {
		target, err := c.url("users", u.ID, "status")
		if err != nil {
			return provider.Fail(provider.Permanent(Name+": set user status", message.CodeInvalid, "invalid user id"), 0)
		}
		resp, err := c.http.Do(ctx, rest.Request{
			Op: "set user status", Method: http.MethodPut, URL: target,
			Body: map[string]string{"userStatus": status}, Check: statusCheck(status),
		})
		r := rest.Outcome(resp, err)
		if err == nil && already(resp.Body, status) {
			r.Outcome = provider.Already
		}
		return r
	})
}

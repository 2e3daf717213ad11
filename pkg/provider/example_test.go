package provider_test

import (
	"context"
	"fmt"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
)

// lockOnly is the smallest provider client: it revokes, and nothing else.
type lockOnly struct{ locked map[string]bool }

// Revoke locks each user: one Result per user, in order; already locked
// is success (Already), an unknown user is NotFound.
func (c *lockOnly) Revoke(_ context.Context, users []provider.User) []provider.Result {
	out := make([]provider.Result, len(users))
	for i, u := range users {
		switch locked, ok := c.locked[u.ID]; {
		case !ok:
			out[i] = provider.Result{Outcome: provider.NotFound, Status: 404, Attempts: 1}
		case locked:
			out[i] = provider.Result{Outcome: provider.Already, Status: 200, Attempts: 1}
		default:
			c.locked[u.ID] = true
			out[i] = provider.Result{Outcome: provider.Done, Status: 200, Attempts: 1}
		}
	}
	return out
}

// Apply runs an action through a client's Revoke or Restore. A client
// that does not implement provider.Restorer cannot restore: every user
// fails permanently, and no call is made.
func ExampleApply() {
	c := &lockOnly{locked: map[string]bool{"u1": false, "u2": true}}
	ctx := context.Background()
	users := []provider.User{{ID: "u1"}, {ID: "u2"}, {ID: "u3"}}
	for _, r := range provider.Apply(ctx, c, message.Revoke, users) {
		fmt.Println(r.Outcome)
	}
	r := provider.Apply(ctx, c, message.Restore, users[:1])[0]
	fmt.Println(r.Outcome, provider.As(r.Err).Code, provider.As(r.Err).Retryable())
	// Output:
	// done
	// already
	// not_found
	// failed unsupported false
}

// A listing query's InactiveSince selects accounts last active before it,
// or never signed in and created before it; an account with no dates is
// never selected.
func ExampleListQuery_Inactive() {
	q := provider.ListQuery{InactiveSince: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}
	for _, a := range []provider.Account{
		{ID: "idle", LastActive: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "active", LastActive: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "never-signed-in", Created: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NeverSignedIn: true},
		{ID: "undated"},
	} {
		fmt.Println(a.ID, q.Inactive(a))
	}
	// Output:
	// idle true
	// active false
	// never-signed-in true
	// undated false
}

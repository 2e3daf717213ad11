package provider

import (
	"context"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// User is a user at the provider, by the provider's own id.
type User struct {
	ID   string
	Wipe bool // JourneyApps only: wipe the device's data on lock
}

// Outcome is what happened to one user.
type Outcome string

// Outcomes of one user's call.
const (
	Done     Outcome = "done"      // changed now
	Already  Outcome = "already"   // the provider said it was already in the asked state
	NotFound Outcome = "not_found" // the provider said there is no such user
	Failed   Outcome = "failed"    // see Result.Err (a *Error)
)

// Result is the outcome for one user.
type Result struct {
	Outcome  Outcome
	Err      error // set when Outcome is Failed; errors.As gives a *Error
	Status   int   // HTTP status of the response that decided, 0 if none
	Attempts int   // HTTP attempts spent on this user's call
}

// Client revokes users on one connection: every provider client is one.
// Revoke returns one Result per user, in order. It is idempotent (already
// revoked is success), safe for concurrent use, respects the connection's
// rate limit and the context's deadline: users it could not try get a
// retryable error. It never reports Done or Already unless the provider
// answered so.
type Client interface {
	Revoke(ctx context.Context, users []User) []Result
}

// Restorer gives access back (the inverse of Revoke, same contract).
// Providers that cannot restore do not implement it.
type Restorer interface {
	Restore(ctx context.Context, users []User) []Result
}

// Match is one account a look-up found.
type Match struct {
	ID    string
	State State // Known when the search answer carried the account's state
}

// Lookup is the result of resolving one email. Matches is empty only when
// the provider answered the search successfully and no account's email
// equals the asked one (case-insensitively): that, and nothing else, means
// "no such user". Any failure of the search is an Err of its class (a 404
// from a search endpoint is a config error: the URL is wrong).
type Lookup struct {
	Matches []Match
	Err     error
}

// IDs are the matched accounts' ids.
func (l Lookup) IDs() []string {
	ids := make([]string, len(l.Matches))
	for i, m := range l.Matches {
		ids[i] = m.ID
	}
	return ids
}

// Resolver looks users up by email, batching where the provider can.
// Resolve returns one Lookup per email, in order.
type Resolver interface {
	Resolve(ctx context.Context, emails []string) []Lookup
}

// State is an account's access as the provider shows it.
type State struct {
	Known    bool   // the provider showed it (false: Err, or not read)
	Exists   bool   // false: the provider says there is no such account
	Disabled bool   // locked / DISABLED / inactive
	Shown    string // the address the answer shows for the account, if any: what the provider displays, not the person's identity
	Err      error  // the read failed (classified *Error)
}

// Matches reports whether the state is what action asks for. A revoked
// account that no longer exists has no access either.
func (s State) Matches(a message.Action) bool {
	if !s.Known {
		return false
	}
	if a == message.Revoke {
		return s.Disabled || !s.Exists
	}
	return s.Exists && !s.Disabled
}

// Verifier reads accounts' states back, batched where the API allows: one
// State per id, in order. It counts against the connection's rate budget
// like every other call.
type Verifier interface {
	Verify(ctx context.Context, ids []string) []State
}

// MaxAlso bounds the other addresses (Account.Also) kept of one account.
const MaxAlso = 10

// Account is a user as a listing reports it.
type Account struct {
	ID    string
	Email string
	// Also holds the other addresses the provider shows for the account
	// (a SCIM user's userName and emails[] beside Email), so the orphan
	// comparison matches a person by any of them; at most MaxAlso are
	// kept.
	Also          []string
	Disabled      bool      // locked / DISABLED / inactive
	LastActive    time.Time // zero if never
	Created       time.Time // zero if unknown
	NeverSignedIn bool
}

// ListQuery selects accounts for the inactive sweep. Each provider turns
// it into its own API's syntax (a where clause, a query parameter, or a
// filter on what its listing returns): the sweep never writes a
// provider's query language.
type ListQuery struct {
	// InactiveSince, when set, selects accounts last active before it, or
	// never signed in and created before it (see Inactive).
	InactiveSince time.Time
	// Where is a provider-side filter in the provider's own syntax (only
	// for providers with the registry's Where capability), optional.
	Where string
}

// Inactive reports whether an account is selected by InactiveSince: last
// active before it, or never signed in and created before it. An account
// with no dates at all is never inactive. A zero InactiveSince selects
// every account.
func (q ListQuery) Inactive(a Account) bool {
	if q.InactiveSince.IsZero() {
		return true
	}
	if !a.LastActive.IsZero() {
		return a.LastActive.Before(q.InactiveSince)
	}
	return !a.Created.IsZero() && a.Created.Before(q.InactiveSince)
}

// Lister pages through a connection's users for the sweep, calling fn for
// each account the query selects (at least those Inactive selects, never
// one it does not); fn returns false to stop early.
type Lister interface {
	List(ctx context.Context, q ListQuery, fn func(Account) bool) error
}

// Apply runs action on users with the client's Revoke or Restore. A client
// that cannot restore, or an action that is neither, fails every user
// permanently without a call.
func Apply(ctx context.Context, c Client, action message.Action, users []User) []Result {
	switch action {
	case message.Revoke:
		return c.Revoke(ctx, users)
	case message.Restore:
		if r, ok := c.(Restorer); ok {
			return r.Restore(ctx, users)
		}
		return FailAll(len(users), Permanent("restore", message.CodeUnsupported, "this provider cannot restore access"), 0)
	}
	return FailAll(len(users), Permanent("apply", message.CodeInvalid, "unknown action "+string(action)), 0)
}

package provider

import (
	"context"
	"errors"
	"time"
)

// Actions a Client performs.
const (
	Revoke  = "revoke"
	Restore = "restore"
)

// User is a user at the provider, by the provider's own id.
type User struct {
	ID   string
	Wipe bool // JourneyApps only: wipe the device's data on lock
}

// Outcome is what happened to one user.
type Outcome string

// Outcomes.
const (
	Done     Outcome = "done"      // changed now
	Already  Outcome = "already"   // was already in the requested state
	NotFound Outcome = "not_found" // no such user
	Failed   Outcome = "failed"    // see Result.Err (a *Error)
)

// Result is the outcome for one user.
type Result struct {
	Outcome  Outcome
	Err      error // set when Outcome is Failed; errors.As gives a *Error
	Status   int   // HTTP status of the response that decided, 0 if none
	Attempts int   // HTTP attempts spent on this user's call
}

// Client revokes or restores users on one connection. Apply returns one
// Result per user, in order. It is idempotent (already revoked is success)
// and safe for concurrent use. It respects the connection's rate limit and
// the context's deadline: users it could not try get a retryable error.
type Client interface {
	Apply(ctx context.Context, action string, users []User) []Result
}

// Lookup is the result of resolving one email.
type Lookup struct {
	IDs []string // the provider's ids for that email; empty: no such user
	Err error
}

// Resolver looks users up by email, batching where the provider can.
// Resolve returns one Lookup per email, in order. A provider that answers
// "not found" to a look-up reports empty IDs, never an error (LookupErr).
type Resolver interface {
	Resolve(ctx context.Context, emails []string) []Lookup
}

// Account is a user as a listing reports it.
type Account struct {
	ID            string
	Email         string
	Disabled      bool      // locked / DISABLED / inactive
	LastActive    time.Time // zero if never
	Created       time.Time // zero if unknown
	NeverSignedIn bool
}

// ListQuery selects accounts for the inactive sweep.
type ListQuery struct {
	Where string // provider-side filter (Backendless where clause), optional
}

// Lister pages through a connection's users for the sweep, calling fn for
// each; fn returns false to stop early.
type Lister interface {
	List(ctx context.Context, q ListQuery, fn func(Account) bool) error
}

// LookupErr is the error a look-up call's failure leaves in a Lookup: nil
// when the provider answered "not found" (that is "no such user"), err
// otherwise.
func LookupErr(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Code == CodeNotFound {
		return nil
	}
	return err
}

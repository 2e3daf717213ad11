// Package directory reads the user directories revoke follows through
// CloudTrail (docs/design.md §1b): IAM Identity Center's identity store and
// Cognito user pools. The trigger resolves an event's user to emails with
// it; the sweep lists each directory into the ledger's snapshot, so a
// deleted user can still be traced to a person.
//
// This package is what every function shares (DIRECTORY_SOURCES, the user,
// the reading interfaces) and links no AWS client; the readers over the
// Identity Store and Cognito APIs are in package awsdir, linked only by
// the functions that read directories (trigger, sweep).
package directory

import (
	"context"
	"errors"
	"strings"

	"github.com/revoke-dev/revoke/pkg/message"
)

// User is a directory user: its id (the identity store's user id, or the
// pool's sub) and the addresses the directory vouches for. Identity
// Center's addresses are managed by the organisation and all count; a
// Cognito user's email counts only when the pool marks it verified
// (email_verified "true"), since a user may edit their own unverified
// email by default.
type User struct {
	ID     string
	Emails []string
	// Unverified counts the addresses left out because the directory does
	// not mark them verified (a reason when Emails is empty).
	Unverified int
	// Disabled: the directory shows the user disabled (a user pool's
	// Enabled false). The user stays traceable to a person, but is not an
	// active one: their accounts are orphans.
	Disabled bool
}

// ErrNotFound means the directory has no such user (deleted).
var ErrNotFound = errors.New("directory: no such user")

// Reader reads users of followed directories: one by id (the trigger's
// Lookup), or all of them a page at a time (the sweep's snapshot, Pager).
// Errors other than ErrNotFound are transient (throttling, outages): the
// caller retries.
type Reader interface {
	Lookup(ctx context.Context, d Source, userID string) (*User, error)
	Pager
}

// AddEmail adds an address the directory vouches for: trimmed, a valid
// address without control or bidirectional characters, once whatever its
// case.
func (u *User) AddEmail(e string) {
	e = strings.TrimSpace(e)
	if message.CheckEmail(e) != nil {
		return
	}
	for _, have := range u.Emails {
		if strings.EqualFold(have, e) {
			return
		}
	}
	u.Emails = append(u.Emails, e)
}

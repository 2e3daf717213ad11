// Package directory reads the user directories revoke follows through
// CloudTrail (docs/design.md §1b): IAM Identity Center's identity store and
// Cognito user pools. The trigger resolves an event's user to emails with
// it; the sweep lists each directory into the ledger's snapshot, so a
// deleted user can still be traced to a person.
package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

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

// Reader reads users of followed directories. Errors other than
// ErrNotFound are transient (throttling, outages): the caller retries.
type Reader interface {
	Lookup(ctx context.Context, d Source, userID string) (*User, error)
	List(ctx context.Context, d Source, fn func(User) bool) error
}

// IdentityStoreAPI is the part of the identitystore client used.
type IdentityStoreAPI interface {
	DescribeUser(ctx context.Context, in *identitystore.DescribeUserInput, opt ...func(*identitystore.Options)) (*identitystore.DescribeUserOutput, error)
	ListUsers(ctx context.Context, in *identitystore.ListUsersInput, opt ...func(*identitystore.Options)) (*identitystore.ListUsersOutput, error)
}

// CognitoAPI is the part of the cognito-idp client used.
type CognitoAPI interface {
	ListUsers(ctx context.Context, in *cip.ListUsersInput, opt ...func(*cip.Options)) (*cip.ListUsersOutput, error)
}

// AWS reads directories through the AWS APIs.
type AWS struct {
	IdentityStore IdentityStoreAPI
	Cognito       CognitoAPI
}

var _ Reader = (*AWS)(nil)

// maxPages bounds a listing (100 users a page: a million users).
const maxPages = 10000

// Lookup implements Reader: DescribeUser, or ListUsers with sub = "<sub>".
func (a *AWS) Lookup(ctx context.Context, d Source, userID string) (*User, error) {
	switch d.Type {
	case IdentityStore:
		out, err := a.IdentityStore.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(d.ID), UserId: aws.String(userID)})
		var nf *istypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		if err != nil {
			return nil, fmt.Errorf("directory: describe user: %w", err)
		}
		return storeUser(userID, out.UserName, out.Emails), nil
	case Cognito:
		out, err := a.Cognito.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(d.ID), Filter: aws.String(`sub = "` + quote(userID) + `"`), Limit: aws.Int32(2)})
		if err != nil {
			return nil, fmt.Errorf("directory: list users by sub: %w", err)
		}
		for _, u := range out.Users {
			if pu := poolUser(u); pu.ID == userID {
				return &pu, nil
			}
		}
		return nil, ErrNotFound
	}
	return nil, fmt.Errorf("directory: unknown type %q", d.Type)
}

// List implements Reader.
func (a *AWS) List(ctx context.Context, d Source, fn func(User) bool) error {
	switch d.Type {
	case IdentityStore:
		var token *string
		for range maxPages {
			out, err := a.IdentityStore.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(d.ID), NextToken: token, MaxResults: aws.Int32(100)})
			if err != nil {
				return fmt.Errorf("directory: list users: %w", err)
			}
			for _, u := range out.Users {
				if u.UserId != nil && !fn(*storeUser(*u.UserId, u.UserName, u.Emails)) {
					return nil
				}
			}
			if token = out.NextToken; token == nil || *token == "" {
				return nil
			}
		}
		return nil
	case Cognito:
		var token *string
		for range maxPages {
			out, err := a.Cognito.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(d.ID), PaginationToken: token, Limit: aws.Int32(60)})
			if err != nil {
				return fmt.Errorf("directory: list users: %w", err)
			}
			for _, u := range out.Users {
				if pu := poolUser(u); pu.ID != "" && !fn(pu) {
					return nil
				}
			}
			if token = out.PaginationToken; token == nil || *token == "" {
				return nil
			}
		}
		return nil
	}
	return fmt.Errorf("directory: unknown type %q", d.Type)
}

// quote escapes a value for a Cognito filter string.
func quote(s string) string { return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) }

// storeUser: every email, and the UserName when it is an address.
func storeUser(id string, userName *string, emails []istypes.Email) *User {
	u := &User{ID: id}
	for _, e := range emails {
		if e.Value != nil {
			u.add(*e.Value)
		}
	}
	if userName != nil {
		u.add(*userName)
	}
	return u
}

// poolUser: the sub is the id; the email attribute is the address, only
// when email_verified is "true" (Cognito's string form of the boolean).
func poolUser(cu ciptypes.UserType) User {
	u := User{Disabled: !cu.Enabled}
	var email string
	verified := false
	for _, a := range cu.Attributes {
		switch aws.ToString(a.Name) {
		case "sub":
			u.ID = aws.ToString(a.Value)
		case "email":
			email = aws.ToString(a.Value)
		case "email_verified":
			verified = strings.EqualFold(strings.TrimSpace(aws.ToString(a.Value)), "true")
		}
	}
	switch {
	case email == "":
	case verified:
		u.add(email)
	default:
		u.Unverified++
	}
	return u
}

func (u *User) add(e string) {
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

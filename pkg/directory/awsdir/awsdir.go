// Package awsdir reads the directories revoke follows (package directory)
// through the AWS APIs: IAM Identity Center's identity store
// (DescribeUser, ListUsers) and Cognito user pools (ListUsers).
package awsdir

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

	"github.com/revoke-dev/revoke/pkg/directory"
)

// New reads directories with the identity store and cognito-idp clients
// of an AWS configuration.
func New(cfg aws.Config) *AWS {
	return &AWS{IdentityStore: identitystore.NewFromConfig(cfg), Cognito: cip.NewFromConfig(cfg)}
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

var _ directory.Reader = (*AWS)(nil)

// Lookup implements Reader: DescribeUser, or ListUsers with sub = "<sub>".
func (a *AWS) Lookup(ctx context.Context, d directory.Source, userID string) (*directory.User, error) {
	switch d.Type {
	case directory.IdentityStore:
		out, err := a.IdentityStore.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(d.ID), UserId: aws.String(userID)})
		var nf *istypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil, directory.ErrNotFound
		}
		if err != nil {
			return nil, fmt.Errorf("awsdir: describe user: %w", err)
		}
		return storeUser(userID, out.UserName, out.Emails), nil
	case directory.Cognito:
		out, err := a.Cognito.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(d.ID), Filter: aws.String(`sub = "` + quote(userID) + `"`), Limit: aws.Int32(2)})
		if err != nil {
			return nil, fmt.Errorf("awsdir: list users by sub: %w", err)
		}
		for _, u := range out.Users {
			if pu := poolUser(u); pu.ID == userID {
				return &pu, nil
			}
		}
		return nil, directory.ErrNotFound
	}
	return nil, fmt.Errorf("awsdir: unknown type %q", d.Type)
}

// quote escapes a value for a Cognito filter string.
func quote(s string) string { return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) }

// storeUser: every email, and the UserName when it is an address.
func storeUser(id string, userName *string, emails []istypes.Email) *directory.User {
	u := &directory.User{ID: id}
	for _, e := range emails {
		if e.Value != nil {
			u.AddEmail(*e.Value)
		}
	}
	if userName != nil {
		u.AddEmail(*userName)
	}
	return u
}

// poolUser: the sub is the id; the email attribute is the address, only
// when email_verified is "true" (Cognito's string form of the boolean).
func poolUser(cu ciptypes.UserType) directory.User {
	u := directory.User{Disabled: !cu.Enabled}
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
		u.AddEmail(email)
	default:
		u.Unverified++
	}
	return u
}

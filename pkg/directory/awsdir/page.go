package awsdir

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"

	"github.com/revoke-dev/revoke/pkg/directory"
)

var _ directory.Pager = (*AWS)(nil)

// ListPage implements Pager: one ListUsers call (100 users of an identity
// store, 60 of a user pool).
func (a *AWS) ListPage(ctx context.Context, d directory.Source, token string) ([]directory.User, string, error) {
	var tok *string
	if token != "" {
		tok = aws.String(token)
	}
	var users []directory.User
	var next *string
	switch d.Type {
	case directory.IdentityStore:
		out, err := a.IdentityStore.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(d.ID), NextToken: tok, MaxResults: aws.Int32(100)})
		if err != nil {
			return nil, "", fmt.Errorf("awsdir: list users: %w", err)
		}
		for _, u := range out.Users {
			if u.UserId != nil {
				users = append(users, *storeUser(*u.UserId, u.UserName, u.Emails))
			}
		}
		next = out.NextToken
	case directory.Cognito:
		out, err := a.Cognito.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(d.ID), PaginationToken: tok, Limit: aws.Int32(60)})
		if err != nil {
			return nil, "", fmt.Errorf("awsdir: list users: %w", err)
		}
		for _, u := range out.Users {
			if pu := poolUser(u); pu.ID != "" {
				users = append(users, pu)
			}
		}
		next = out.PaginationToken
	default:
		return nil, "", fmt.Errorf("awsdir: unknown type %q", d.Type)
	}
	if next == nil {
		return users, "", nil
	}
	return users, *next, nil
}

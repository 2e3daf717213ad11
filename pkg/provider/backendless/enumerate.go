package backendless

import (
	"context"

	"github.com/revoke-dev/revoke/pkg/provider"
)

var _ provider.Enumerator = (*Client)(nil)

// Enumerate reads one page of data/Users (pageSize=100, offset=cursor)
// with each user's email, status and last login.
func (c *Client) Enumerate(ctx context.Context, cursor string) (provider.AccountPage, error) {
	offset, err := provider.ParseOffset(Name+": list users", cursor)
	if err != nil {
		return provider.AccountPage{}, err
	}
	users, err := c.users(ctx, "list users", "", PageSize, offset)
	if err != nil {
		return provider.AccountPage{}, err
	}
	p := provider.AccountPage{Accounts: make([]provider.Account, 0, len(users))}
	for _, u := range users {
		if u.ObjectID == "" {
			continue
		}
		a := provider.Account{ID: u.ObjectID, Email: u.Email, Disabled: u.UserStatus == "DISABLED", LastActive: msTime(u.LastLogin), Created: msTime(u.Created)}
		a.NeverSignedIn = a.LastActive.IsZero()
		p.Accounts = append(p.Accounts, a)
	}
	p.Next = provider.NextOffset(offset, len(users), len(users) >= PageSize)
	return p, nil
}

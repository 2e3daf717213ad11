package journeyapps

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

var _ provider.Enumerator = (*Client)(nil)

// Enumerate reads one page of the user model (GET objects/{model}.json
// ?limit=500&skip=cursor): each object's id is the user's id (the one
// users/{id}/lock takes) and its email field the address. The user model
// shows neither the lock state nor the last connection, so a listed
// account is never reported disabled: an orphan that is already locked
// answers "already" when revoked.
func (c *Client) Enumerate(ctx context.Context, cursor string) (provider.AccountPage, error) {
	skip, err := provider.ParseOffset(Name+": list users", cursor)
	if err != nil {
		return provider.AccountPage{}, err
	}
	base, err := rest.URL(c.base, "objects", c.model+".json")
	if err != nil {
		return provider.AccountPage{}, rest.ConfigError(Name, err)
	}
	q := url.Values{"limit": {strconv.Itoa(ScanPageSize)}, "skip": {strconv.Itoa(skip)}}
	resp, err := c.http.Do(ctx, rest.Request{Op: "list users", Method: http.MethodGet, URL: rest.WithQuery(base, q), Check: searchCheck})
	if err != nil {
		return provider.AccountPage{}, err
	}
	objs, more, err := ParseObjects(resp.Body, c.emailField)
	if err != nil {
		return provider.AccountPage{}, err
	}
	p := provider.AccountPage{Accounts: make([]provider.Account, 0, len(objs))}
	for _, o := range objs {
		if checkID(o.ID) != nil {
			continue
		}
		p.Accounts = append(p.Accounts, provider.Account{ID: o.ID, Email: o.Email})
	}
	p.Next = provider.NextOffset(skip, len(objs), more)
	return p, nil
}

package scim

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

var _ provider.Enumerator = (*Client)(nil)

// Enumerate reads one page of GET /Users?startIndex=&count= (no filter:
// every user, RFC 7644 §3.4.2.4). The cursor is the 0-based offset of the
// page; startIndex is 1-based. A page without totalResults continues while
// it is full.
func (c *Client) Enumerate(ctx context.Context, cursor string) (provider.AccountPage, error) {
	const op = Name + ": list users"
	offset, err := provider.ParseOffset(op, cursor)
	if err != nil {
		return provider.AccountPage{}, err
	}
	users, err := rest.URL(c.base, "Users")
	if err != nil {
		return provider.AccountPage{}, rest.ConfigError(Name, err)
	}
	target := users + "?startIndex=" + strconv.Itoa(offset+1) + "&count=" + strconv.Itoa(LookupPageSize)
	resp, err := c.http.Do(ctx, rest.Request{Op: "list users", Method: http.MethodGet, URL: target, Check: searchCheck})
	if err != nil {
		return provider.AccountPage{}, err
	}
	p, err := ParsePage(resp.Body)
	if err != nil {
		return provider.AccountPage{}, err
	}
	out := provider.AccountPage{Accounts: make([]provider.Account, 0, len(p.Resources))}
	for _, r := range p.Resources {
		if r.ID == "" {
			continue
		}
		st := r.state()
		out.Accounts = append(out.Accounts, provider.Account{ID: r.ID, Email: st.Shown, Also: r.addresses(st.Shown), Disabled: st.Known && st.Disabled})
	}
	n := len(p.Resources)
	more := n >= LookupPageSize
	if p.HasTotal {
		more = offset+n < p.Total
	}
	out.Next = provider.NextOffset(offset, n, more)
	return out, nil
}

// addresses are a user's addresses other than shown: its userName when
// it is one, and each emails[].value (an IdP may send its UPN as userName
// and the person's address in emails).
func (r Resource) addresses(shown string) []string {
	var out []string
	add := func(v string) {
		if len(out) < provider.MaxAlso && strings.Contains(v, "@") && !strings.EqualFold(v, shown) {
			out = append(out, v)
		}
	}
	add(r.UserName)
	for _, e := range r.Emails {
		add(e.Value)
	}
	return out
}

package backendless

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

type user struct {
	ObjectID   string          `json:"objectId"`
	Email      string          `json:"email"`
	UserStatus string          `json:"userStatus"`
	LastLogin  json.RawMessage `json:"lastLogin"`
	Created    json.RawMessage `json:"created"`
}

// state is the account's access as userStatus shows it (a user pending
// email confirmation is not disabled: confirming enables it).
func (u user) state() provider.State {
	s := provider.State{Exists: true, Shown: u.Email}
	switch u.UserStatus {
	case "DISABLED":
		s.Known, s.Disabled = true, true
	case "ENABLED", "EMAIL_CONFIRMATION_PENDING":
		s.Known = true
	}
	return s
}

// searchCheck: a search answered 404 (any code) means the URL is wrong.
func searchCheck(status int, body []byte) error {
	err := Check(status, body)
	if pe := provider.As(err); err != nil && pe.Code == message.CodeNotFound {
		pe.Code = message.CodeConfig
	}
	return err
}

func (c *Client) users(ctx context.Context, op, where string, pageSize, offset int) ([]user, error) {
	u, err := c.url("data", "Users")
	if err != nil {
		return nil, rest.ConfigError(Name, err)
	}
	q := url.Values{"pageSize": {strconv.Itoa(pageSize)}}
	if where != "" {
		q.Set("where", where)
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	resp, err := c.http.Do(ctx, rest.Request{Op: op, Method: http.MethodGet, URL: rest.WithQuery(u, q), Check: searchCheck})
	if err != nil {
		return nil, err
	}
	return ParseUsers(resp.Body, op)
}

// ParseUsers reads a data/Users answer (a JSON array of user objects).
func ParseUsers(body []byte, op string) ([]user, error) {
	var out []user
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, provider.Transient(Name+": "+op, message.CodeProvider, "response is not a list of users")
	}
	return out, nil
}

// maxLookupPages bounds one email's search.
const maxLookupPages = 5

// Resolve looks each email up with GET data/Users?where=email='…'; only
// users whose email equals the asked one case-insensitively count, and
// their userStatus comes along.
func (c *Client) Resolve(ctx context.Context, emails []string) []provider.Lookup {
	return rest.LookupEach(ctx, emails, 8, func(ctx context.Context, email string) provider.Lookup {
		var l provider.Lookup
		for page := range maxLookupPages {
			users, err := c.users(ctx, "look up user", "email="+Quote(email), PageSize, page*PageSize)
			if err != nil {
				return provider.Lookup{Err: err}
			}
			for _, u := range users {
				if u.ObjectID != "" && strings.EqualFold(u.Email, email) {
					l.Matches = append(l.Matches, provider.Match{ID: u.ObjectID, State: u.state()})
				}
			}
			if len(users) < PageSize {
				return l
			}
		}
		return provider.Lookup{Err: provider.Permanent(Name+": look up user", message.CodeConfig, "the search for one email matched too many users")}
	})
}

// VerifyBatch is how many users one proof reads with a where clause.
const VerifyBatch = 50

// Verify proves users' states with the documented search
// GET data/Users?where=objectId='a' OR objectId='b'… (up to VerifyBatch a
// request), and reads any user the search did not show, or a lone one,
// with GET data/Users/{objectId}: only that read may say a user is gone.
func (c *Client) Verify(ctx context.Context, ids []string) []provider.State {
	return rest.VerifyBatched(ctx, ids, VerifyBatch, func(ctx context.Context, chunk []string) (map[string]provider.State, error) {
		clauses := make([]string, len(chunk))
		for k, id := range chunk {
			clauses[k] = "objectId=" + Quote(id)
		}
		users, err := c.users(ctx, "read users", strings.Join(clauses, " OR "), PageSize, 0)
		if err != nil {
			return nil, err
		}
		shown := make(map[string]provider.State, len(users))
		for _, u := range users {
			shown[u.ObjectID] = u.state()
		}
		return shown, nil
	}, c.readUser)
}

// readUser reads one user with GET data/Users/{objectId}.
func (c *Client) readUser(ctx context.Context, id string) provider.State {
	target, err := c.url("data", "Users", id)
	if err != nil {
		return provider.StateErr(provider.Permanent(Name+": read user", message.CodeInvalid, "invalid user id"))
	}
	return c.http.ReadState(ctx, Name, target, Check, func(body []byte) provider.State {
		var u user
		if json.Unmarshal(body, &u) != nil || u.ObjectID == "" {
			return provider.StateErr(provider.Transient(Name+": read user", message.CodeProvider, "response is not a user object"))
		}
		s := u.state()
		if !s.Known {
			s.Err = provider.Transient(Name+": read user", message.CodeProvider, "userStatus is missing or unknown")
		}
		return s
	})
}

// maxPages bounds a listing.
const maxPages = 10000

// Where is the data/Users where clause of a listing query: its own Where,
// and for InactiveSince what provider.ListQuery.Inactive selects, last
// signed in before it or never signed in and created before it:
// "(lastLogin < <ms> OR (lastLogin IS NULL AND created < <ms>))"
// (Backendless compares dates as epoch milliseconds), joined with AND.
func Where(q provider.ListQuery) string {
	var parts []string
	if q.Where != "" {
		parts = append(parts, q.Where)
	}
	if !q.InactiveSince.IsZero() {
		ms := strconv.FormatInt(q.InactiveSince.UnixMilli(), 10)
		parts = append(parts, "(lastLogin < "+ms+" OR (lastLogin IS NULL AND created < "+ms+"))")
	}
	if len(parts) == 2 {
		return "(" + parts[0] + ") AND " + parts[1]
	}
	return strings.Join(parts, "")
}

// List pages through data/Users with the query's where clause (Where);
// what the server returns is checked with q.Inactive too.
func (c *Client) List(ctx context.Context, q provider.ListQuery, fn func(provider.Account) bool) error {
	where := Where(q)
	for page := 0; page < maxPages; page++ {
		users, err := c.users(ctx, "list users", where, PageSize, page*PageSize)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.ObjectID == "" {
				continue
			}
			a := provider.Account{ID: u.ObjectID, Email: u.Email, Disabled: u.UserStatus == "DISABLED",
				LastActive: msTime(u.LastLogin), Created: msTime(u.Created)}
			a.NeverSignedIn = a.LastActive.IsZero()
			if !q.Inactive(a) {
				continue
			}
			if !fn(a) {
				return nil
			}
		}
		if len(users) < PageSize {
			return nil
		}
	}
	return nil
}

func msTime(raw json.RawMessage) time.Time {
	var ms float64
	if json.Unmarshal(raw, &ms) != nil || ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms))
}

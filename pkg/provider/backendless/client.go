package backendless

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// Name is the provider kind.
const Name = "backendless"

// DefaultBaseURL is Backendless' public API.
const DefaultBaseURL = "https://api.backendless.com"

// CodeRateLimit is Backendless' "request rate exhausted" error code.
const CodeRateLimit = 999

// PageSize is the largest page Backendless serves.
const PageSize = 100

// Profile of the provider.
var Profile = rest.Profile{Provider: Name, DefaultRate: 10, Policy: retry.Policy{Attempts: 4, Base: 500 * time.Millisecond, Max: 8 * time.Second}}

// Secret is the connection secret.
type Secret struct {
	BaseURL       string `json:"base_url"`
	ApplicationID string `json:"application_id"`
	APIKey        string `json:"api_key"`
	rest.Settings
}

// Client talks to one app. Safe for concurrent use.
type Client struct {
	http *rest.Client
	root []string // path segments after base_url: application id and API key, or none
	base *url.URL
}

var (
	_ provider.Client   = (*Client)(nil)
	_ provider.Resolver = (*Client)(nil)
	_ provider.Lister   = (*Client)(nil)
)

// New parses a secret and builds a client.
func New(raw []byte, o rest.Options) (*Client, error) {
	var s Secret
	if err := rest.DecodeSecret(Name, raw, &s, &s.Settings); err != nil {
		return nil, err
	}
	base, err := rest.SecretURL(Name, "base_url", cmp.Or(s.BaseURL, DefaultBaseURL), o.AllowInsecureHTTP)
	if err != nil {
		return nil, err
	}
	c := &Client{base: base}
	switch {
	case s.ApplicationID != "" && s.APIKey != "":
		for _, v := range []string{s.ApplicationID, s.APIKey} {
			if v == "." || v == ".." || strings.ContainsAny(v, "/?#") {
				return nil, rest.SecretError(Name, "application_id and api_key must not contain / ? #")
			}
		}
		c.root = []string{s.ApplicationID, s.APIKey}
	case s.ApplicationID == "" && s.APIKey == "":
		// A custom domain whose role already carries the key.
	default:
		return nil, rest.SecretError(Name, "application_id and api_key go together (both, or neither for a custom domain)")
	}
	c.http = o.NewClient(Profile, s.Settings, nil, s.APIKey)
	return c, nil
}

func (c *Client) url(segments ...string) (string, error) {
	return rest.URL(c.base, append(append([]string{}, c.root...), segments...)...)
}

// Apply sets userStatus on each user, concurrently within the rate limit.
func (c *Client) Apply(ctx context.Context, action string, users []provider.User) []provider.Result {
	status := "DISABLED"
	if action == provider.Restore {
		status = "ENABLED"
	}
	return rest.ApplyEach(ctx, users, 16, func(ctx context.Context, u provider.User) provider.Result {
		target, err := c.url("users", u.ID, "status")
		if err != nil {
			return provider.Fail(provider.Permanent(Name+": set user status", provider.CodeInvalid, "invalid user id"), 0)
		}
		return rest.Outcome(c.http.Do(ctx, rest.Request{
			Op: "set user status", Method: http.MethodPut, URL: target,
			Body: map[string]string{"userStatus": status}, Check: Check,
		}))
	})
}

// ErrorBody is Backendless' error shape.
type ErrorBody struct {
	Code    *json.Number `json:"code"`
	Message string       `json:"message"`
}

// Check reads every response body: an error object fails the call even
// with HTTP 200; code 999 is a rate limit.
func Check(status int, body []byte) error {
	var eb ErrorBody
	hasErr := len(body) > 0 && body[0] == '{' && json.Unmarshal(body, &eb) == nil && eb.Code != nil
	if status >= 200 && status < 300 && !hasErr {
		return nil
	}
	if !hasErr {
		return rest.DefaultCheck(status, body)
	}
	code, _ := strconv.Atoi(eb.Code.String())
	msg := rest.Truncate("code "+eb.Code.String()+": "+eb.Message, 300)
	var e *provider.Error
	switch {
	case code == CodeRateLimit:
		e = &provider.Error{Code: provider.CodeRateLimited, Retry: true, Message: msg, Status: status}
	case status == http.StatusNotFound || notFound(code, eb.Message):
		e = &provider.Error{Code: provider.CodeNotFound, Message: msg, Status: status}
	case status >= 200 && status < 300:
		e = &provider.Error{Code: provider.CodeProvider, Message: msg, Status: status}
	default:
		e = provider.StatusError("", status, msg)
	}
	e.ProviderID = eb.Code.String()
	return e
}

func notFound(code int, msg string) bool {
	if code == 1000 || code == 3020 {
		return true
	}
	m := strings.ToLower(msg)
	return strings.Contains(m, "not found") || strings.Contains(m, "cannot be found") || strings.Contains(m, "does not exist")
}

// Quote makes a string literal for a where clause: single quotes doubled.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

type user struct {
	ObjectID   string          `json:"objectId"`
	Email      string          `json:"email"`
	UserStatus string          `json:"userStatus"`
	LastLogin  json.RawMessage `json:"lastLogin"`
	Created    json.RawMessage `json:"created"`
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
	resp, err := c.http.Do(ctx, rest.Request{Op: op, Method: http.MethodGet, URL: rest.WithQuery(u, q), Check: Check})
	if err != nil {
		return nil, err
	}
	var out []user
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return nil, provider.Transient(Name+": "+op, provider.CodeProvider, "response is not a list of users")
	}
	return out, nil
}

// Resolve looks each email up with GET data/Users?where=email='…'.
func (c *Client) Resolve(ctx context.Context, emails []string) []provider.Lookup {
	out := make([]provider.Lookup, len(emails))
	rest.Each(ctx, len(emails), 8, func(ctx context.Context, i int) {
		users, err := c.users(ctx, "look up user", "email="+Quote(emails[i]), 10, 0)
		if err != nil {
			out[i].Err = provider.LookupErr(err)
			return
		}
		for _, u := range users {
			if u.ObjectID != "" && strings.EqualFold(u.Email, emails[i]) {
				out[i].IDs = append(out[i].IDs, u.ObjectID)
			}
		}
	})
	return out
}

// maxPages bounds a listing.
const maxPages = 10000

// List pages through data/Users with the query's where clause.
func (c *Client) List(ctx context.Context, q provider.ListQuery, fn func(provider.Account) bool) error {
	for page := 0; page < maxPages; page++ {
		users, err := c.users(ctx, "list users", q.Where, PageSize, page*PageSize)
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

package scim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

// FilterValue quotes s as a JSON string without HTML escaping ("&" stays
// "&"): servers built on common SCIM libraries compare the value literally.
func FilterValue(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// Filter is the look-up filter for email: user_filter with {email}
// replaced by the escaped address (the template carries the quotes).
func Filter(template, email string) string {
	q := FilterValue(email)
	return strings.ReplaceAll(template, emailPlaceholder, q[1:len(q)-1])
}

// queryEscape encodes a query value with %20 for spaces (not "+", which
// some servers take literally).
func queryEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// Resource is the part of a SCIM User revoke reads.
type Resource struct {
	ID       string          `json:"id"`
	UserName string          `json:"userName"`
	Active   json.RawMessage `json:"active"`
	Emails   []struct {
		Value string `json:"value"`
	} `json:"emails"`
}

// Has reports whether the resource's userName or one of its emails equals
// email case-insensitively.
func (r Resource) Has(email string) bool {
	if strings.EqualFold(r.UserName, email) {
		return true
	}
	for _, e := range r.Emails {
		if strings.EqualFold(e.Value, email) {
			return true
		}
	}
	return false
}

func (r Resource) state() provider.State {
	s := provider.State{Exists: true}
	if r.Active != nil {
		if active, ok := parseBool(r.Active); ok {
			s.Known, s.Disabled = true, !active
		}
	}
	if strings.Contains(r.UserName, "@") {
		s.Email = r.UserName
	} else if len(r.Emails) > 0 {
		s.Email = r.Emails[0].Value
	}
	return s
}

// Resolve looks each email up with GET /Users?filter=<user_filter>; only
// resources whose userName or one of emails[].value equals the email
// case-insensitively count, whatever the server's filter returned.
func (c *Client) Resolve(ctx context.Context, emails []string) []provider.Lookup {
	return rest.LookupEach(ctx, emails, 8, func(ctx context.Context, email string) provider.Lookup {
		u, err := rest.URL(c.base, "Users")
		if err != nil {
			return provider.Lookup{Err: rest.ConfigError(Name, err)}
		}
		target := u + "?filter=" + queryEscape(Filter(c.filter, email))
		resp, err := c.http.Do(ctx, rest.Request{Op: "look up user", Method: http.MethodGet, URL: target, Check: searchCheck})
		if err != nil {
			return provider.Lookup{Err: err}
		}
		res, err := ParseList(resp.Body)
		if err != nil {
			return provider.Lookup{Err: err}
		}
		var l provider.Lookup
		for _, r := range res {
			if r.ID != "" && r.Has(email) {
				l.Matches = append(l.Matches, provider.Match{ID: r.ID, State: r.state()})
			}
		}
		return l
	})
}

// ParseList reads a ListResponse's Resources.
func ParseList(body []byte) ([]Resource, error) {
	var lr struct {
		Resources *[]Resource `json:"Resources"`
		Total     *int        `json:"totalResults"`
	}
	if err := json.Unmarshal(body, &lr); err != nil || (lr.Resources == nil && lr.Total == nil) {
		return nil, provider.Transient(Name+": look up user", message.CodeProvider, "response is not a SCIM ListResponse")
	}
	if lr.Resources == nil {
		return nil, nil
	}
	return *lr.Resources, nil
}

// Verify reads each user back with GET /Users/{id}. A user the service no
// longer has (some services answer 404 for a deactivated user) has no
// access.
func (c *Client) Verify(ctx context.Context, ids []string) []provider.State {
	return rest.VerifyEach(ctx, ids, 8, func(ctx context.Context, id string) provider.State {
		target, err := rest.URL(c.base, "Users", id)
		if err != nil {
			return provider.StateErr(provider.Permanent(Name+": read user", message.CodeInvalid, "invalid user id"))
		}
		return c.http.ReadState(ctx, Name, target, Check, func(body []byte) provider.State {
			var r Resource
			if json.Unmarshal(body, &r) != nil {
				return provider.StateErr(provider.Transient(Name+": read user", message.CodeProvider, "response is not a SCIM User"))
			}
			s := r.state()
			if !s.Known {
				s.Err = provider.Transient(Name+": read user", message.CodeProvider, "the User has no active attribute")
			}
			return s
		})
	})
}

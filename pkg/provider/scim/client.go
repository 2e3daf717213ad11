package scim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// Name is the provider kind.
const Name = "scim"

// MediaType is SCIM's JSON media type.
const MediaType = "application/scim+json"

// Schemas used on the wire.
const (
	PatchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	ErrorSchema   = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// Profile of the provider.
var Profile = rest.Profile{Provider: Name, DefaultRate: 10, Policy: retry.Policy{Attempts: 4, Base: 500 * time.Millisecond, Max: 8 * time.Second}}

// Secret is the connection secret.
type Secret struct {
	BaseURL string `json:"base_url"`
	Token   string `json:"token"`
	rest.Settings
}

// Client talks to one SCIM service. Safe for concurrent use.
type Client struct {
	http *rest.Client
	base *url.URL
}

var (
	_ provider.Client   = (*Client)(nil)
	_ provider.Resolver = (*Client)(nil)
)

// New parses a secret and builds a client.
func New(raw []byte, o rest.Options) (*Client, error) {
	var s Secret
	if err := rest.DecodeSecret(Name, raw, &s, &s.Settings); err != nil {
		return nil, err
	}
	if err := rest.Required(Name, "token", s.Token); err != nil {
		return nil, err
	}
	base, err := rest.SecretURL(Name, "base_url", s.BaseURL, o.AllowInsecureHTTP)
	if err != nil {
		return nil, err
	}
	token := s.Token
	auth := func(h http.Header) {
		h.Set("Authorization", "Bearer "+token)
		h.Set("Accept", MediaType+", application/json")
	}
	return &Client{http: o.NewClient(Profile, s.Settings, auth, token), base: base}, nil
}

// PatchOp is the SCIM PATCH request body.
type PatchOp struct {
	Schemas    []string    `json:"schemas"`
	Operations []Operation `json:"Operations"`
}

// Operation is one PATCH operation.
type Operation struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value bool   `json:"value"`
}

// Apply sets active=false (revoke) or true (restore) on each user.
func (c *Client) Apply(ctx context.Context, action string, users []provider.User) []provider.Result {
	body := PatchOp{Schemas: []string{PatchOpSchema}, Operations: []Operation{{Op: "replace", Path: "active", Value: action == provider.Restore}}}
	return rest.ApplyEach(ctx, users, 16, func(ctx context.Context, u provider.User) provider.Result {
		target, err := rest.URL(c.base, "Users", u.ID)
		if err != nil {
			return provider.Fail(provider.Permanent(Name+": patch user", provider.CodeInvalid, "invalid user id"), 0)
		}
		return rest.Outcome(c.http.Do(ctx, rest.Request{
			Op: "patch user", Method: http.MethodPatch, URL: target, Body: body, ContentType: MediaType, Check: Check,
		}))
	})
}

// Check reads SCIM error bodies (status is a string in them).
func Check(status int, body []byte) error {
	if status >= 200 && status < 300 {
		return nil
	}
	var eb struct {
		ScimType string `json:"scimType"`
		Detail   string `json:"detail"`
	}
	if json.Unmarshal(body, &eb) != nil {
		return rest.DefaultCheck(status, body)
	}
	msg := eb.Detail
	if eb.ScimType != "" {
		msg = eb.ScimType + ": " + msg
	}
	e := provider.StatusError("", status, rest.Truncate(msg, 300))
	e.ProviderID = eb.ScimType
	return e
}

// FilterValue quotes a string for a SCIM filter.
func FilterValue(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Resolve looks each email up with GET /Users?filter=userName eq "…".
func (c *Client) Resolve(ctx context.Context, emails []string) []provider.Lookup {
	out := make([]provider.Lookup, len(emails))
	rest.Each(ctx, len(emails), 8, func(ctx context.Context, i int) {
		u, err := rest.URL(c.base, "Users")
		if err != nil {
			out[i].Err = rest.ConfigError(Name, err)
			return
		}
		q := url.Values{"filter": {"userName eq " + FilterValue(emails[i])}}
		resp, err := c.http.Do(ctx, rest.Request{Op: "look up user", Method: http.MethodGet, URL: rest.WithQuery(u, q), Check: Check})
		if err != nil {
			out[i].Err = provider.LookupErr(err)
			return
		}
		var lr struct {
			Resources []struct {
				ID       string `json:"id"`
				UserName string `json:"userName"`
			} `json:"Resources"`
		}
		if err := json.Unmarshal(resp.Body, &lr); err != nil {
			out[i].Err = provider.Transient(Name+": look up user", provider.CodeProvider, "response is not a SCIM ListResponse")
			return
		}
		for _, r := range lr.Resources {
			if r.ID != "" && (r.UserName == "" || strings.EqualFold(r.UserName, emails[i])) {
				out[i].IDs = append(out[i].IDs, r.ID)
			}
		}
	})
	return out
}

package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
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

// DefaultUserFilter is the look-up filter unless the secret names another.
const DefaultUserFilter = `userName eq "{email}"`

// emailPlaceholder in user_filter stands for the quoted, escaped address.
const emailPlaceholder = "{email}"

// Profile of the provider.
var Profile = rest.Profile{Provider: Name, DefaultRate: 10, Policy: retry.Policy{Attempts: 4, Base: 500 * time.Millisecond, Max: 8 * time.Second}}

// Secret is the connection secret.
type Secret struct {
	BaseURL    string `json:"base_url"`
	Token      string `json:"token"`
	UserFilter string `json:"user_filter"`
	rest.Settings
}

// Client talks to one SCIM service. Safe for concurrent use.
type Client struct {
	http   *rest.Client
	base   *url.URL
	filter string
	// noPath: this server refused the path form of the PATCH once and took
	// the no-path form ({"op":"replace","value":{"active":false}}).
	noPath atomic.Bool
}

var (
	_ provider.Client   = (*Client)(nil)
	_ provider.Restorer = (*Client)(nil)
	_ provider.Resolver = (*Client)(nil)
	_ provider.Verifier = (*Client)(nil)
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
	if s.UserFilter == "" {
		s.UserFilter = DefaultUserFilter
	}
	if !strings.Contains(s.UserFilter, emailPlaceholder) || len(s.UserFilter) > 512 || message.CheckText(s.UserFilter) != nil {
		return nil, rest.SecretError(Name, "user_filter must contain {email} (e.g. emails.value eq \"{email}\"), at most 512 characters, no control characters")
	}
	token := s.Token
	auth := func(h http.Header) {
		h.Set("Authorization", "Bearer "+token)
		h.Set("Accept", MediaType+", application/json")
	}
	return &Client{http: o.NewClient(Profile, s.Settings, auth, token), base: base, filter: s.UserFilter}, nil
}

// PatchOp is the SCIM PATCH request body.
type PatchOp struct {
	Schemas    []string    `json:"schemas"`
	Operations []Operation `json:"Operations"`
}

// Operation is one PATCH operation.
type Operation struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value"`
}

func patchBody(active, withPath bool) PatchOp {
	op := Operation{Op: "replace", Path: "active", Value: active}
	if !withPath {
		op = Operation{Op: "replace", Value: map[string]bool{"active": active}}
	}
	return PatchOp{Schemas: []string{PatchOpSchema}, Operations: []Operation{op}}
}

// Revoke sets active=false on each user.
func (c *Client) Revoke(ctx context.Context, users []provider.User) []provider.Result {
	return c.setActive(ctx, users, false)
}

// Restore sets active=true on each user (services that cannot re-activate
// answer with an error, recorded as such).
func (c *Client) Restore(ctx context.Context, users []provider.User) []provider.Result {
	return c.setActive(ctx, users, true)
}

func (c *Client) setActive(ctx context.Context, users []provider.User, active bool) []provider.Result {
	return rest.ApplyEach(ctx, users, 16, func(ctx context.Context, u provider.User) provider.Result {
		target, err := rest.URL(c.base, "Users", u.ID)
		if err != nil {
			return provider.Fail(provider.Permanent(Name+": patch user", message.CodeInvalid, "invalid user id"), 0)
		}
		withPath := !c.noPath.Load()
		resp, err := c.patch(ctx, target, active, withPath)
		if withPath && err != nil && provider.As(err).Status == http.StatusBadRequest {
			// Some servers accept only the no-path form (Okta's): try it once
			// and remember it for this connection when it works.
			attempts := resp.Attempts
			if resp, err = c.patch(ctx, target, active, false); err == nil {
				c.noPath.Store(true)
			}
			resp.Attempts += attempts
		}
		r := rest.Outcome(resp, err)
		if err == nil {
			if got, ok := activeOf(resp.Body); ok && got != active {
				return provider.Fail(provider.Permanent(Name+": patch user", message.CodeProvider,
					"the service answered success but the returned resource still has active="+boolText(got)), resp.Attempts)
			}
		}
		return r
	})
}

func (c *Client) patch(ctx context.Context, target string, active, withPath bool) (rest.Response, error) {
	return c.http.Do(ctx, rest.Request{Op: "patch user", Method: http.MethodPatch, URL: target, Body: patchBody(active, withPath), ContentType: MediaType, Check: Check})
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// activeOf reads "active" from a returned resource (a boolean, or the
// strings "True"/"False" some services send).
func activeOf(body []byte) (active, ok bool) {
	var r struct {
		Active json.RawMessage `json:"active"`
	}
	if len(bytes.TrimSpace(body)) == 0 || json.Unmarshal(body, &r) != nil || r.Active == nil {
		return false, false
	}
	return parseBool(r.Active)
}

func parseBool(raw json.RawMessage) (v, ok bool) {
	if json.Unmarshal(raw, &v) == nil {
		return v, true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch strings.ToLower(s) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// errorBody is a SCIM error (status is a string in it).
type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   any      `json:"status"`
	ScimType string   `json:"scimType"`
	Detail   string   `json:"detail"`
}

// Check reads SCIM error bodies. A 404 is "no such user" only when the
// service answered with a SCIM error; a bare 404 means the URL is wrong.
func Check(status int, body []byte) error {
	if status >= 200 && status < 300 {
		return nil
	}
	var eb errorBody
	isSCIM := json.Unmarshal(body, &eb) == nil && (len(eb.Schemas) > 0 || eb.Status != nil || eb.Detail != "")
	if !isSCIM {
		err := rest.DefaultCheck(status, body)
		if pe := provider.As(err); pe.Code == message.CodeNotFound {
			pe.Code = message.CodeConfig
			pe.Message = "404 without a SCIM error: check base_url"
		}
		return err
	}
	msg := eb.Detail
	if eb.ScimType != "" {
		msg = eb.ScimType + ": " + msg
	}
	e := provider.StatusError("", status, msg)
	e.ProviderID = eb.ScimType
	return e
}

// searchCheck: any 404 of a search means the URL is wrong (config).
func searchCheck(status int, body []byte) error {
	err := Check(status, body)
	if pe := provider.As(err); err != nil && pe.Code == message.CodeNotFound {
		pe.Code = message.CodeConfig
	}
	return err
}

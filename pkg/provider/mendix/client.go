package mendix

import (
	"cmp"
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
const Name = "mendix"

// Default endpoints.
const (
	DefaultDeactivationURL = "https://users-status-api.home.mendix.com"
	DefaultIdentifiersURL  = "https://user-identifiers-api.home.mendix.com"
)

// EmailsPerLookup bounds the emails of one identifiers call.
const EmailsPerLookup = 50

// Profile of the provider.
var Profile = rest.Profile{Provider: Name, DefaultRate: 5, Policy: retry.Policy{Attempts: 4, Base: 500 * time.Millisecond, Max: 8 * time.Second}}

// Secret is the connection secret.
type Secret struct {
	PAT             string `json:"pat"`
	DeactivationURL string `json:"deactivation_url"`
	IdentifiersURL  string `json:"identifiers_url"`
	rest.Settings
}

// Client talks to the Mendix platform. Safe for concurrent use.
type Client struct {
	http        *rest.Client
	deactivate  *url.URL
	identifiers *url.URL
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
	if err := rest.Required(Name, "pat", s.PAT); err != nil {
		return nil, err
	}
	d, err := rest.SecretURL(Name, "deactivation_url", cmp.Or(s.DeactivationURL, DefaultDeactivationURL), o.AllowInsecureHTTP)
	if err != nil {
		return nil, err
	}
	i, err := rest.SecretURL(Name, "identifiers_url", cmp.Or(s.IdentifiersURL, DefaultIdentifiersURL), o.AllowInsecureHTTP)
	if err != nil {
		return nil, err
	}
	pat := s.PAT
	auth := func(h http.Header) { h.Set("Authorization", "MxToken "+pat) }
	return &Client{http: o.NewClient(Profile, s.Settings, auth, pat), deactivate: d, identifiers: i}, nil
}

// ErrRestore is the permanent failure of a restore.
var ErrRestore = provider.Permanent(Name+": restore", provider.CodeUnsupported, "Mendix cannot re-activate platform users through the User Deactivation API")

// Apply deactivates each user; restore fails permanently without a call.
func (c *Client) Apply(ctx context.Context, action string, users []provider.User) []provider.Result {
	if action != provider.Revoke {
		return provider.FailAll(len(users), ErrRestore, 0)
	}
	return rest.ApplyEach(ctx, users, 16, func(ctx context.Context, u provider.User) provider.Result {
		target, err := rest.URL(c.deactivate, "v1", "platform-users", u.ID)
		if err != nil {
			return provider.Fail(provider.Permanent(Name+": deactivate user", provider.CodeInvalid, "invalid user id"), 0)
		}
		return rest.Outcome(c.http.Do(ctx, rest.Request{
			Op: "deactivate user", Method: http.MethodPatch, URL: target, Body: map[string]bool{"active": false},
		}))
	})
}

type emailAddress struct {
	EmailAddress string `json:"emailAddress"`
}

// Resolve maps emails to UUIDs with POST /v1/uuids, EmailsPerLookup a call.
// Emails the API does not return have no platform user.
func (c *Client) Resolve(ctx context.Context, emails []string) []provider.Lookup {
	out := make([]provider.Lookup, len(emails))
	target, err := rest.URL(c.identifiers, "v1", "uuids")
	if err != nil {
		for i := range out {
			out[i].Err = rest.ConfigError(Name, err)
		}
		return out
	}
	chunks := (len(emails) + EmailsPerLookup - 1) / EmailsPerLookup
	rest.Each(ctx, chunks, 4, func(ctx context.Context, k int) {
		lo, hi := k*EmailsPerLookup, min((k+1)*EmailsPerLookup, len(emails))
		body := struct {
			EmailAddresses []emailAddress `json:"emailAddresses"`
		}{}
		for _, e := range emails[lo:hi] {
			body.EmailAddresses = append(body.EmailAddresses, emailAddress{e})
		}
		resp, err := c.http.Do(ctx, rest.Request{Op: "look up users", Method: http.MethodPost, URL: target, Body: body})
		var ids map[string][]string
		if err == nil {
			ids, err = parseIdentifiers(resp.Body)
		}
		for i := lo; i < hi; i++ {
			out[i] = provider.Lookup{IDs: ids[strings.ToLower(emails[i])], Err: provider.LookupErr(err)}
		}
	})
	return out
}

func parseIdentifiers(body []byte) (map[string][]string, error) {
	var r struct {
		Identifiers []struct {
			EmailAddress string `json:"emailAddress"`
			UUID         string `json:"uuid"`
		} `json:"identifiers"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, provider.Transient(Name+": look up users", provider.CodeProvider, "response is not the documented JSON")
	}
	ids := map[string][]string{}
	for _, id := range r.Identifiers {
		if id.UUID != "" {
			k := strings.ToLower(id.EmailAddress)
			ids[k] = append(ids[k], id.UUID)
		}
	}
	return ids, nil
}

package mendix

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
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

// MaxEmailLen is the longest email the identifiers API takes.
const MaxEmailLen = 200

// Profile of the provider.
var Profile = rest.Profile{Provider: Name, DefaultRate: 5, Policy: retry.Policy{Attempts: 4, Base: 500 * time.Millisecond, Max: 8 * time.Second}}

// Secret is the connection secret.
type Secret struct {
	PAT             string `json:"pat"`
	DeactivationURL string `json:"deactivation_url"`
	IdentifiersURL  string `json:"identifiers_url"`
	rest.Settings
}

// Client talks to the Mendix platform. Safe for concurrent use. It cannot
// restore (the User Deactivation API only deactivates) and cannot read a
// platform user's state, so its changes stay unverified.
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

// Revoke deactivates each platform user with PATCH
// /v1/platform-users/{uuid} {"active": false}. The API has no "no such
// user" answer (deactivationCheck): a UUID it does not take is a failure,
// never no_account.
func (c *Client) Revoke(ctx context.Context, users []provider.User) []provider.Result {
	return rest.ApplyEach(ctx, users, 16, func(ctx context.Context, u provider.User) provider.Result {
		target, err := rest.URL(c.deactivate, "v1", "platform-users", u.ID)
		if err != nil {
			return provider.Fail(provider.Permanent(Name+": deactivate user", message.CodeInvalid, "invalid user id"), 0)
		}
		return rest.Outcome(c.http.Do(ctx, rest.Request{
			Op: "deactivate user", Method: http.MethodPatch, URL: target, Body: map[string]bool{"active": false}, Check: deactivationCheck,
		}))
	})
}

// deactivationCheck classifies a User Deactivation API answer. Mendix's
// published spec (mendix/docs static/openapi-spec/user-deactivation-api.yaml,
// "User Deactivation API" on docs.mendix.com) documents 204, 400, 401,
// 403, 429, 500 and 503, and no 404. The UUID came from the User
// Identifiers API a moment earlier, so a 404 means deactivation_url points
// somewhere else: a config failure, never "no such user".
// The spec's error body is {"error": {"message", "detail", "code",
// "instance"}}: the detail tells its 403s apart (not an admin, the PAT's
// own user, a missing scope), so it is kept next to the message.
func deactivationCheck(status int, body []byte) error {
	err := rest.DefaultCheck(status, body)
	var eb struct {
		Error *struct {
			Message string `json:"message"`
			Detail  string `json:"detail"`
		} `json:"error"`
	}
	if pe := provider.As(err); err != nil && json.Unmarshal(body, &eb) == nil && eb.Error != nil && eb.Error.Detail != "" && eb.Error.Detail != eb.Error.Message {
		pe.Message = strings.TrimPrefix(eb.Error.Message+": "+eb.Error.Detail, ": ")
	}
	if pe := provider.As(err); err != nil && pe.Code == message.CodeNotFound {
		pe.Code = message.CodeConfig
		msg := "the User Deactivation API documents no 404: check deactivation_url"
		if pe.Message != "" {
			msg += " (" + pe.Message + ")"
		}
		pe.Message = msg
	}
	return err
}

type emailAddress struct {
	EmailAddress string `json:"emailAddress"`
}

// Resolve maps emails to UUIDs with POST /v1/uuids, EmailsPerLookup a
// call. An email is "no such user" only when the answer lists it under
// error.emailAddresses; an email over 200 characters is refused before
// the call (alone: it does not fail its chunk).
func (c *Client) Resolve(ctx context.Context, emails []string) []provider.Lookup {
	out := make([]provider.Lookup, len(emails))
	target, err := rest.URL(c.identifiers, "v1", "uuids")
	if err != nil {
		for i := range out {
			out[i].Err = rest.ConfigError(Name, err)
		}
		return out
	}
	var ask []int
	for i, e := range emails {
		if len(e) > MaxEmailLen {
			out[i].Err = provider.Permanent(Name+": look up users", message.CodeInvalid, "the User Identifiers API takes emails of at most 200 characters")
			continue
		}
		ask = append(ask, i)
	}
	chunks := (len(ask) + EmailsPerLookup - 1) / EmailsPerLookup
	rest.Each(ctx, chunks, 4, func(ctx context.Context, k int) {
		idx := ask[k*EmailsPerLookup : min((k+1)*EmailsPerLookup, len(ask))]
		c.lookupChunk(ctx, target, emails, idx, out)
	}, func(k int, err error) {
		for _, i := range ask[k*EmailsPerLookup : min((k+1)*EmailsPerLookup, len(ask))] {
			out[i] = provider.Lookup{Err: err}
		}
	})
	return out
}

func (c *Client) lookupChunk(ctx context.Context, target string, emails []string, idx []int, out []provider.Lookup) {
	body := struct {
		EmailAddresses []emailAddress `json:"emailAddresses"`
	}{}
	for _, i := range idx {
		body.EmailAddresses = append(body.EmailAddresses, emailAddress{emails[i]})
	}
	resp, err := c.http.Do(ctx, rest.Request{Op: "look up users", Method: http.MethodPost, URL: target, Body: body, Check: identifiersCheck})
	var a Answer
	if err == nil {
		a, err = ParseIdentifiers(resp.Body)
	}
	for _, i := range idx {
		out[i] = a.Lookup(emails[i], err)
	}
}

// identifiersCheck accepts an answer that names emails (identifiers, or
// error.emailAddresses for those not found) whatever its status; any other
// 404 means the URL is wrong (config).
func identifiersCheck(status int, body []byte) error {
	if status >= 200 && status < 300 {
		return nil
	}
	if a, err := ParseIdentifiers(body); err == nil && (len(a.ids) > 0 || len(a.notFound) > 0) {
		return nil
	}
	err := rest.DefaultCheck(status, body)
	if pe := provider.As(err); pe.Code == message.CodeNotFound {
		pe.Code = message.CodeConfig
	}
	return err
}

// Answer is a parsed identifiers answer.
type Answer struct {
	ids      map[string][]string // lower-cased email → UUIDs
	notFound map[string]bool     // lower-cased emails the API says have no platform user
}

// Lookup is the answer for one email: its UUIDs, or "no such user" when
// the answer lists it as not found, or a retryable error when it says
// neither (revoke never guesses "no account").
func (a Answer) Lookup(email string, err error) provider.Lookup {
	if err != nil {
		return provider.Lookup{Err: err}
	}
	k := strings.ToLower(email)
	if ids := a.ids[k]; len(ids) > 0 {
		l := provider.Lookup{}
		for _, id := range ids {
			l.Matches = append(l.Matches, provider.Match{ID: id})
		}
		return l
	}
	if a.notFound[k] {
		return provider.Lookup{}
	}
	return provider.Lookup{Err: provider.Transient(Name+": look up users", message.CodeProvider, "the answer neither identified the email nor listed it as not found")}
}

// ParseIdentifiers reads {"identifiers": [{"emailAddress","uuid"}],
// "error": {"message", "emailAddresses": [...]}}; the not-found list may
// hold strings or {"emailAddress"} objects.
func ParseIdentifiers(body []byte) (Answer, error) {
	var r struct {
		Identifiers []struct {
			EmailAddress string `json:"emailAddress"`
			UUID         string `json:"uuid"`
		} `json:"identifiers"`
		Error *struct {
			EmailAddresses []json.RawMessage `json:"emailAddresses"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return Answer{}, provider.Transient(Name+": look up users", message.CodeProvider, "response is not the documented JSON")
	}
	a := Answer{ids: map[string][]string{}, notFound: map[string]bool{}}
	for _, id := range r.Identifiers {
		if id.UUID != "" {
			k := strings.ToLower(id.EmailAddress)
			a.ids[k] = append(a.ids[k], id.UUID)
		}
	}
	if r.Error != nil {
		for _, raw := range r.Error.EmailAddresses {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				var o emailAddress
				_ = json.Unmarshal(raw, &o)
				s = o.EmailAddress
			}
			if s != "" {
				a.notFound[strings.ToLower(s)] = true
			}
		}
	}
	return a, nil
}

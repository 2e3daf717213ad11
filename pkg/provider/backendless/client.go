package backendless

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// Name is the provider kind.
const Name = "backendless"

// Backendless' public endpoints: the default (US) and the EU one.
const (
	DefaultBaseURL = "https://api.backendless.com"
	EUBaseURL      = "https://eu-api.backendless.com"
)

// Documented error codes revoke acts on.
const (
	CodeRateLimit      = 999  // request rate exhausted (sometimes with HTTP 200)
	CodeEntityNotFound = 1000 // entity with the specified id cannot be found
	CodeUserNotFound   = 3030 // unable to find user
	CodeUserNotFound2  = 3057 // user cannot be found
	// 3085 "user already disabled" and 3086 "user already enabled": the
	// meanings Backendless' error code list gives them (the "complete list
	// of Backendless Error Codes" linked from
	// https://backendless.com/docs/rest/shared_error_handling.html; see
	// docs/design.md §6). Each is "already done" only for the change it
	// names: 3085 for a disable, 3086 for an enable (statusCheck).
	CodeAlreadyDisabled = 3085
	CodeAlreadyEnabled  = 3086
)

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
	_ provider.Restorer = (*Client)(nil)
	_ provider.Resolver = (*Client)(nil)
	_ provider.Verifier = (*Client)(nil)
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
			if v == "." || v == ".." || strings.ContainsAny(v, "/?#%\\") {
				return nil, rest.SecretError(Name, "application_id and api_key must not contain / ? # % \\")
			}
		}
		c.root = []string{s.ApplicationID, s.APIKey}
	case s.ApplicationID == "" && s.APIKey == "":
		// A custom domain whose role already carries the key: its REST API
		// is served under /api.
		if !strings.HasSuffix(base.Path, "/api") {
			return nil, rest.SecretError(Name, "base_url: a custom domain serves the REST API under /api; base_url must end in /api (e.g. https://xxxx.backendless.app/api)")
		}
	default:
		return nil, rest.SecretError(Name, "application_id and api_key go together (both, or neither for a custom domain)")
	}
	c.http = o.NewClient(Profile, s.Settings, nil, s.APIKey)
	return c, nil
}

func (c *Client) url(segments ...string) (string, error) {
	return rest.URL(c.base, append(append([]string{}, c.root...), segments...)...)
}

// ErrorBody is Backendless' error shape.
type ErrorBody struct {
	Code    *json.Number `json:"code"`
	Message string       `json:"message"`
}

// errorCode returns the body's error code, if the body is an error object.
func errorCode(body []byte) (code int, eb ErrorBody, ok bool) {
	if len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &eb) != nil || eb.Code == nil {
		return 0, eb, false
	}
	code, _ = strconv.Atoi(eb.Code.String())
	return code, eb, true
}

// Check reads every response body: an error object fails the call even
// with HTTP 200; code 999 is a rate limit; "no such user" is only the
// documented codes, and any other 404 means the URL is wrong (config).
// 3085/3086 are errors here: only statusCheck, which knows the asked
// status, may take one as "already".
func Check(status int, body []byte) error {
	code, eb, hasErr := errorCode(body)
	switch {
	case status >= 200 && status < 300 && !hasErr:
		return nil
	case !hasErr && status == http.StatusNotFound:
		return provider.Config("", "the API answered 404 without a Backendless error: check base_url (a custom domain needs …/api)")
	case !hasErr:
		return rest.DefaultCheck(status, body)
	}
	msg := "code " + eb.Code.String() + ": " + eb.Message
	var e *provider.Error
	switch {
	case code == CodeRateLimit:
		e = &provider.Error{Code: message.CodeRateLimited, Retry: true, Message: msg, Status: status}
	case code == CodeEntityNotFound || code == CodeUserNotFound || code == CodeUserNotFound2:
		e = &provider.Error{Code: message.CodeNotFound, Message: msg, Status: status}
	case status == http.StatusNotFound:
		e = &provider.Error{Code: message.CodeConfig, Message: msg, Status: status}
	case status >= 200 && status < 300:
		e = &provider.Error{Code: message.CodeProvider, Message: msg, Status: status}
	default:
		e = provider.StatusError("", status, msg)
	}
	e.ProviderID = eb.Code.String()
	return e
}

// alreadyCode is the code that means "the user already has userStatus
// want": 3085 for DISABLED, 3086 for ENABLED.
func alreadyCode(want string) int {
	if want == statusDisabled {
		return CodeAlreadyDisabled
	}
	return CodeAlreadyEnabled
}

// statusCheck is Check for PUT users/{id}/status asking for want: the
// code saying the user already has want (with HTTP 200 or 400) succeeds;
// the other "already" code says the user is in the opposite state, so the
// change did not happen: a permanent provider error.
func statusCheck(want string) func(status int, body []byte) error {
	return func(status int, body []byte) error {
		code, eb, ok := errorCode(body)
		if ok && (status == http.StatusOK || status == http.StatusBadRequest) {
			switch code {
			case alreadyCode(want):
				return nil
			case CodeAlreadyDisabled, CodeAlreadyEnabled:
				e := provider.Permanent("", message.CodeProvider, "code "+eb.Code.String()+" answered a change to "+want+": "+eb.Message)
				e.Status, e.ProviderID = status, eb.Code.String()
				return e
			}
		}
		return Check(status, body)
	}
}

// already reports whether a successful status change was answered with
// the code for "already has want".
func already(body []byte, want string) bool {
	code, _, ok := errorCode(body)
	return ok && code == alreadyCode(want)
}

// Quote makes a string literal for a where clause: single quotes doubled.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

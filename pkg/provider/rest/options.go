package rest

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/ratelimit"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// Options are what a deployment (not a secret) decides about clients.
type Options struct {
	HTTP              *http.Client       // nil: NewHTTPClient()
	AllowInsecureHTTP bool               // ALLOW_INSECURE_HTTP
	Limiter           *ratelimit.Limiter // the connection's limiter, kept across secret refreshes; nil: a new one
	Instances         int                // MAX_CONCURRENCY: the rate is shared by this many processes
	Observe           func(Observation)  // optional metrics hook
}

// Profile is what a provider package tells NewClient about itself.
type Profile struct {
	Provider    string
	DefaultRate float64 // calls per second for the whole deployment
	Policy      retry.Policy
}

// NewClient builds the HTTP client for one connection.
func (o Options) NewClient(p Profile, s Settings, authorize func(http.Header), secrets ...string) *Client {
	perSecond, burst := s.Share(p.DefaultRate, o.Instances)
	lim := o.Limiter
	if lim == nil {
		lim = ratelimit.New(perSecond, burst)
	}
	if s.RatePerSecond > 0 {
		lim.Configure(perSecond, burst) // a declared rate wins
	} else {
		// None declared: start at the provider's default share and find
		// the real one (kept across rebuilds of a warm process).
		lim.Discover(perSecond, burst)
	}
	h := o.HTTP
	if h == nil {
		h = NewHTTPClient()
	}
	return &Client{HTTP: h, Limiter: lim, Policy: p.Policy, Timeout: s.Timeout(), Provider: p.Provider,
		Authorize: authorize, Redactor: provider.NewRedactor(secrets...), Observe: o.Observe}
}

// ErrSecret marks a connection secret that cannot be used: a permanent
// "config" failure for that connection's messages.
var ErrSecret = errors.New("invalid connection secret")

// DecodeSecret unmarshals a connection secret into v and checks its common
// settings. The error never quotes the secret.
func DecodeSecret(provider string, raw []byte, v any, s *Settings) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return SecretError(provider, "not a JSON object with the expected fields")
	}
	if err := s.Check(); err != nil {
		return SecretError(provider, err.Error())
	}
	return nil
}

// SecretURL checks a base URL field of a secret (see BaseURL).
func SecretURL(provider, field, raw string, allowInsecure bool) (*url.URL, error) {
	u, err := BaseURL(raw, allowInsecure)
	if err != nil {
		return nil, SecretError(provider, field+": "+err.Error())
	}
	return u, nil
}

// Required fails when a secret field is empty.
func Required(provider, field, value string) error {
	if value == "" {
		return SecretError(provider, field+" is required")
	}
	return nil
}

// SecretError is the permanent "config" error of a provider secret that
// cannot be used (errors.Is(err, ErrSecret) holds). msg never quotes the
// secret.
func SecretError(p, msg string) *provider.Error {
	return &provider.Error{Op: p + ": configure", Code: message.CodeConfig, Message: "invalid connection secret: " + msg, Err: ErrSecret}
}

// ConfigError converts a setup error into the provider.Error the consumer
// records (code "config", never retried).
func ConfigError(p string, err error) *provider.Error {
	return &provider.Error{Op: p + ": configure", Code: message.CodeConfig, Message: err.Error(), Err: err}
}

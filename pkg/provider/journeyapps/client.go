package journeyapps

import (
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
const Name = "journeyapps"

// MaxBatch is the most operations one batch.json request may carry.
const MaxBatch = 1000

// Profile: JourneyApps asks clients to wait at least 1 s after a 429.
var Profile = rest.Profile{
	Provider:    Name,
	DefaultRate: 5,
	Policy:      retry.Policy{Attempts: 4, Base: time.Second, Max: 8 * time.Second, Min: time.Second},
}

// Secret is the connection secret.
type Secret struct {
	APIURL     string `json:"api_url"`
	Token      string `json:"token"`
	UserModel  string `json:"user_model"`
	EmailField string `json:"email_field"`
	rest.Settings
}

// ident reports whether s is an identifier ([A-Za-z_][A-Za-z0-9_]{0,63}):
// model and field names go into a path and a query key.
func ident(s string) bool {
	if len(s) == 0 || len(s) > 64 || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Client talks to one deployment. Safe for concurrent use.
type Client struct {
	http       *rest.Client
	base       *url.URL
	model      string
	emailField string
	pos        *positions // where proofs found users in the listing
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
	if err := rest.Required(Name, "token", s.Token); err != nil {
		return nil, err
	}
	base, err := rest.SecretURL(Name, "api_url", s.APIURL, o.AllowInsecureHTTP)
	if err != nil {
		return nil, err
	}
	if s.UserModel == "" {
		s.UserModel = "user"
	}
	if s.EmailField == "" {
		s.EmailField = "email"
	}
	if !ident(s.UserModel) || !ident(s.EmailField) {
		return nil, rest.SecretError(Name, "user_model and email_field must be identifiers")
	}
	token := s.Token
	auth := func(h http.Header) { h.Set("Authorization", "Bearer "+token) }
	return &Client{http: o.NewClient(Profile, s.Settings, auth, token), base: base, model: s.UserModel, emailField: s.EmailField, pos: &positions{}}, nil
}

// APIError is JourneyApps' error object.
type APIError struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

func (e *APIError) text() string {
	d := e.Detail
	if d == "" {
		d = e.Title
	}
	return strings.TrimSpace(e.Type + ": " + d)
}

// Route errors: a 404 of these types means the URL or the deployment is
// wrong, never that a user does not exist.
const (
	typeRouteError      = "ROUTE_ERROR"
	typeAccountNotFound = "ACCOUNT_NOT_FOUND"
	typeObjectNotFound  = "OBJECT_NOT_FOUND"
)

// Check classifies a JourneyApps answer: a 404 is "no such user" only
// when its type is OBJECT_NOT_FOUND; any other 404 (ROUTE_ERROR,
// ACCOUNT_NOT_FOUND, no body) is a config error.
func Check(status int, body []byte) error {
	if status >= 200 && status < 300 {
		return nil
	}
	var e APIError
	_ = json.Unmarshal(body, &e)
	pe := provider.StatusError("", status, e.text())
	if status == http.StatusNotFound && e.Type != typeObjectNotFound {
		pe.Code = message.CodeConfig
		pe.Message = "the API answered " + e.Type + " 404: check api_url (…/api/v4/<backend-deployment-id>) — " + e.text()
	}
	pe.ProviderID = e.Type
	return pe
}

// searchCheck classifies the answer of a search: any 404 there means the
// URL, deployment or model is wrong (config), never "no such user".
func searchCheck(status int, body []byte) error {
	err := Check(status, body)
	if pe := provider.As(err); err != nil && pe.Code == message.CodeNotFound {
		pe.Code = message.CodeConfig
	}
	return err
}

// checkID refuses ids that could change a URL path.
func checkID(id string) error {
	if id == "" || id == "." || id == ".." || len(id) > 128 || strings.ContainsAny(id, "/?#%\\") {
		return provider.Permanent(Name, message.CodeInvalid, "invalid user id")
	}
	return nil
}

// single posts one users/{id}/{verb} call.
func (c *Client) single(ctx context.Context, id, verb string, body any) provider.Result {
	if err := checkID(id); err != nil {
		return provider.Fail(err, 0)
	}
	u, err := rest.URL(c.base, "users", id, verb)
	if err != nil {
		return provider.Fail(rest.ConfigError(Name, err), 0)
	}
	return rest.Outcome(c.http.Do(ctx, rest.Request{Op: verb + " user", Method: http.MethodPost, URL: u, Body: body, Check: Check}))
}

// Lock locks one user with POST users/{id}/lock {"wipe": …}.
func (c *Client) Lock(ctx context.Context, id string, wipe bool) provider.Result {
	return c.single(ctx, id, "lock", map[string]bool{"wipe": wipe})
}

// Unlock unlocks one user with POST users/{id}/unlock.
func (c *Client) Unlock(ctx context.Context, id string) provider.Result {
	return c.single(ctx, id, "unlock", nil)
}

// Restore unlocks each user with the documented per-user call (users/unlock
// is not a documented batch method), concurrently within the rate limit.
func (c *Client) Restore(ctx context.Context, users []provider.User) []provider.Result {
	return rest.ApplyEach(ctx, users, 8, func(ctx context.Context, u provider.User) provider.Result { return c.Unlock(ctx, u.ID) })
}

package journeyapps

import (
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
	return &Client{http: o.NewClient(Profile, s.Settings, auth, token), base: base, model: s.UserModel, emailField: s.EmailField}, nil
}

type operation struct {
	Method string `json:"method"`
	UserID string `json:"user_id"`
	Wipe   *bool  `json:"wipe,omitempty"`
}

type batchRequest struct {
	Operations []operation `json:"operations"`
}

// Apply locks (revoke) or unlocks (restore) users with batch.json, 1000
// operations a request. Operations that fail for a transient reason are
// re-sent once more in a smaller batch while time allows.
func (c *Client) Apply(ctx context.Context, action string, users []provider.User) []provider.Result {
	out := make([]provider.Result, len(users))
	for start := 0; start < len(users); start += MaxBatch {
		end := min(start+MaxBatch, len(users))
		copy(out[start:end], c.applyChunk(ctx, action, users[start:end]))
	}
	return out
}

func (c *Client) applyChunk(ctx context.Context, action string, users []provider.User) []provider.Result {
	out := make([]provider.Result, len(users))
	pending := make([]int, len(users))
	for i := range pending {
		pending[i] = i
	}
	for round := 1; len(pending) > 0; round++ {
		batch := make([]provider.User, len(pending))
		for i, j := range pending {
			batch[i] = users[j]
		}
		res, delivered := c.batch(ctx, action, batch)
		var again []int
		for i, j := range pending {
			res[i].Attempts += out[j].Attempts
			out[j] = res[i]
			if delivered && res[i].Outcome == provider.Failed && retry.IsRetryable(res[i].Err) {
				again = append(again, j) // the batch worked but this operation did not: retry just it
			}
		}
		if len(again) == 0 || round >= 3 || !retry.Sleep(ctx, Profile.Policy.Min) {
			break
		}
		pending = again
	}
	return out
}

// batch sends one batch.json request; delivered reports whether the request
// itself succeeded (so per-operation failures are the operations' own).
func (c *Client) batch(ctx context.Context, action string, users []provider.User) (_ []provider.Result, delivered bool) {
	ops := make([]operation, len(users))
	for i, u := range users {
		if err := checkID(u.ID); err != nil {
			return provider.FailAll(len(users), provider.Permanent(Name+": batch", provider.CodeInvalid, "invalid user id"), 0), false
		}
		ops[i] = operation{Method: "users/unlock", UserID: u.ID}
		if action == provider.Revoke {
			w := u.Wipe
			ops[i] = operation{Method: "users/lock", UserID: u.ID, Wipe: &w}
		}
	}
	u, err := rest.URL(c.base, "batch.json")
	if err != nil {
		return provider.FailAll(len(users), rest.ConfigError(Name, err), 0), false
	}
	resp, err := c.http.Do(ctx, rest.Request{Op: "batch " + action, Method: http.MethodPost, URL: u, Body: batchRequest{Operations: ops}})
	if err != nil {
		return provider.FailAll(len(users), err, resp.Attempts), false
	}
	results, perr := ParseBatchResponse(resp.Body, len(ops))
	if perr != nil {
		perr.Op, perr.Status = Name+": batch "+action, resp.Status
		return provider.FailAll(len(users), perr, resp.Attempts), false
	}
	for i := range results {
		results[i].Attempts = resp.Attempts
		if results[i].Status == 0 {
			results[i].Status = resp.Status
		}
	}
	return results, true
}

// OperationResult is one entry of a batch response.
type OperationResult struct {
	Success *bool     `json:"success"`
	Error   *APIError `json:"error"`
}

// APIError is JourneyApps' error object.
type APIError struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

// ParseBatchResponse maps a batch.json response to one result per
// operation, by position. Operations without a result are retryable
// failures (the batch is not transactional and locking is idempotent).
func ParseBatchResponse(body []byte, n int) ([]provider.Result, *provider.Error) {
	var br struct {
		Operations []OperationResult `json:"operations"`
		Results    []OperationResult `json:"results"`
	}
	var ops []OperationResult
	if err := json.Unmarshal(body, &br); err == nil {
		ops = br.Operations
		if ops == nil {
			ops = br.Results
		}
	} else if err := json.Unmarshal(body, &ops); err != nil { // a bare array of results
		return nil, provider.Transient("", provider.CodeProvider, "batch response is not the documented JSON")
	}
	out := make([]provider.Result, n)
	for i := range out {
		if i >= len(ops) {
			out[i] = provider.Fail(provider.Transient(Name+": batch", provider.CodeProvider, "no result for this operation"), 0)
			continue
		}
		out[i] = operationResult(ops[i])
	}
	return out, nil
}

func operationResult(r OperationResult) provider.Result {
	if r.Error == nil && (r.Success == nil || *r.Success) {
		if r.Success == nil {
			return provider.Fail(provider.Transient(Name+": batch", provider.CodeProvider, "operation result has no success flag"), 0)
		}
		return provider.Result{Outcome: provider.Done}
	}
	e := r.Error
	if e == nil {
		e = &APIError{Type: "UNKNOWN", Title: "operation failed"}
	}
	status := ErrorStatus(e.Type)
	if status == http.StatusNotFound {
		return provider.Result{Outcome: provider.NotFound, Status: status}
	}
	msg := rest.Truncate(strings.TrimSpace(e.Type+": "+firstNonEmpty(e.Detail, e.Title)), 300)
	var pe *provider.Error
	if status != 0 {
		pe = provider.StatusError(Name+": batch operation", status, msg)
	} else if t := strings.ToUpper(e.Type); strings.Contains(t, "INTERNAL") || strings.Contains(t, "UNAVAILABLE") || strings.Contains(t, "TIMEOUT") {
		pe = provider.Transient(Name+": batch operation", provider.CodeUnavailable, msg)
	} else {
		pe = provider.Permanent(Name+": batch operation", provider.CodeProvider, msg)
	}
	pe.ProviderID = e.Type
	return provider.Result{Outcome: provider.Failed, Err: pe, Status: status}
}

// ErrorStatus is the HTTP status JourneyApps documents for an error type.
func ErrorStatus(typ string) int {
	switch typ {
	case "AUTHENTICATION_FAILED":
		return http.StatusUnauthorized
	case "OBJECT_NOT_FOUND":
		return http.StatusNotFound
	case "INVALID_VALUE":
		return http.StatusUnprocessableEntity
	case "INVALID_API_REQUEST":
		return http.StatusBadRequest
	case "TOO_MANY_REQUESTS":
		return http.StatusTooManyRequests
	case "FORBIDDEN", "PERMISSION_DENIED":
		return http.StatusForbidden
	}
	return 0
}

// Lock locks one user with POST users/{id}/lock (the single-user API).
func (c *Client) Lock(ctx context.Context, id string, wipe bool) provider.Result {
	return c.single(ctx, id, "lock", map[string]bool{"wipe": wipe})
}

// Unlock unlocks one user with POST users/{id}/unlock.
func (c *Client) Unlock(ctx context.Context, id string) provider.Result {
	return c.single(ctx, id, "unlock", nil)
}

func (c *Client) single(ctx context.Context, id, verb string, body any) provider.Result {
	if err := checkID(id); err != nil {
		return provider.Fail(provider.Permanent(Name+": "+verb, provider.CodeInvalid, "invalid user id"), 0)
	}
	u, err := rest.URL(c.base, "users", id, verb)
	if err != nil {
		return provider.Fail(rest.ConfigError(Name, err), 0)
	}
	return rest.Outcome(c.http.Do(ctx, rest.Request{Op: verb + " user", Method: http.MethodPost, URL: u, Body: body}))
}

// Resolve looks each email up with GET objects/{model}.json?query[{field}]=.
// The match is case-sensitive, as JourneyApps' query is.
func (c *Client) Resolve(ctx context.Context, emails []string) []provider.Lookup {
	out := make([]provider.Lookup, len(emails))
	rest.Each(ctx, len(emails), 8, func(ctx context.Context, i int) {
		u, err := rest.URL(c.base, "objects", c.model+".json")
		if err != nil {
			out[i].Err = rest.ConfigError(Name, err)
			return
		}
		q := url.Values{"query[" + c.emailField + "]": {emails[i]}}
		resp, err := c.http.Do(ctx, rest.Request{Op: "look up user", Method: http.MethodGet, URL: rest.WithQuery(u, q)})
		if err != nil {
			out[i].Err = provider.LookupErr(err)
			return
		}
		var objs []struct {
			ID string `json:"id"`
		}
		var wrapped struct {
			Objects *json.RawMessage `json:"objects"`
		}
		body := resp.Body
		if json.Unmarshal(body, &wrapped) == nil && wrapped.Objects != nil {
			body = *wrapped.Objects
		}
		if err := json.Unmarshal(body, &objs); err != nil {
			out[i].Err = provider.Transient(Name+": look up user", provider.CodeProvider, "response is not a list of objects")
			return
		}
		for _, o := range objs {
			if checkID(o.ID) == nil {
				out[i].IDs = append(out[i].IDs, o.ID)
			}
		}
	})
	return out
}

// PageSize is the listing page size.
const PageSize = 100

// maxPages bounds a listing (1,000,000 users).
const maxPages = 10000

// List pages through GET users?limit=&skip= until "more" is false.
func (c *Client) List(ctx context.Context, _ provider.ListQuery, fn func(provider.Account) bool) error {
	base, err := rest.URL(c.base, "users")
	if err != nil {
		return rest.ConfigError(Name, err)
	}
	for page, skip := 0, 0; page < maxPages; page++ {
		q := url.Values{"limit": {strconv.Itoa(PageSize)}, "skip": {strconv.Itoa(skip)}}
		resp, err := c.http.Do(ctx, rest.Request{Op: "list users", Method: http.MethodGet, URL: rest.WithQuery(base, q)})
		if err != nil {
			return err
		}
		var p struct {
			More    bool         `json:"more"`
			Objects []listedUser `json:"objects"`
		}
		if err := json.Unmarshal(resp.Body, &p); err != nil {
			return provider.Transient(Name+": list users", provider.CodeProvider, "response is not the documented JSON")
		}
		for _, u := range p.Objects {
			if checkID(u.ID) != nil {
				continue
			}
			if !fn(u.account()) {
				return nil
			}
		}
		if !p.More || len(p.Objects) == 0 {
			return nil
		}
		skip += len(p.Objects)
	}
	return nil
}

type listedUser struct {
	ID              string          `json:"id"`
	LastConnectedAt *string         `json:"last_connected_at"`
	Enrolled        json.RawMessage `json:"enrolled"`
	Locked          bool            `json:"locked"`
	CreatedAt       *string         `json:"created_at"`
}

func (u listedUser) account() provider.Account {
	a := provider.Account{ID: u.ID, Disabled: u.Locked}
	if u.LastConnectedAt != nil {
		a.LastActive = parseTime(*u.LastConnectedAt)
	}
	a.NeverSignedIn = a.LastActive.IsZero()
	// "enrolled" may be a flag or a timestamp; a timestamp (or created_at)
	// dates an account that never connected.
	var s string
	if json.Unmarshal(u.Enrolled, &s) == nil {
		a.Created = parseTime(s)
	}
	if a.Created.IsZero() && u.CreatedAt != nil {
		a.Created = parseTime(*u.CreatedAt)
	}
	return a
}

func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999Z0700", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

func checkID(id string) error {
	if id == "" || id == "." || id == ".." || len(id) > 128 || strings.ContainsAny(id, "/?#%\\") {
		return provider.Permanent(Name, provider.CodeInvalid, "invalid user id")
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

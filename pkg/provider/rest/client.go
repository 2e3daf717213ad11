package rest

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/ratelimit"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// MaxResponseBytes caps a success body revoke reads (a listing page).
const MaxResponseBytes = 4 << 20

// MaxErrorBodyBytes caps an error body: however large a provider's error,
// revoke reads at most this much of it.
const MaxErrorBodyBytes = 64 << 10

// MinCallTime is the least time left before a deadline for a call to start.
const MinCallTime = 250 * time.Millisecond

// NewHTTPClient returns the HTTP client providers share: TLS 1.2+, pooled
// connections, no redirects (a redirect could carry a credential elsewhere).
func NewHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	tr.MaxIdleConnsPerHost = 64
	tr.ResponseHeaderTimeout = 60 * time.Second
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Client performs provider calls. Safe for concurrent use.
type Client struct {
	HTTP      *http.Client
	Limiter   *ratelimit.Limiter
	Policy    retry.Policy
	Timeout   time.Duration     // per attempt
	Provider  string            // for error ops, e.g. "backendless"
	Authorize func(http.Header) // adds the credential
	Redactor  provider.Redactor // removes the credentials from any provider text
	Now       func() time.Time  // nil: time.Now
	Observe   func(Observation) // optional: one call per attempt, for metrics
}

// Observation describes one HTTP attempt (for metrics; holds no URL).
type Observation struct {
	Op       string
	Status   int
	Duration time.Duration
	Err      error
}

// Request is one logical call (retried as a whole).
type Request struct {
	Op     string // what the call does, e.g. "disable user"
	Method string
	URL    string // built with URL and WithQuery
	Body   any    // JSON-encoded when not nil
	// ContentType of Body (default application/json).
	ContentType string
	// Check decides whether a response is a success. Nil means: 2xx is
	// success, anything else a StatusError with the body's message.
	Check func(status int, body []byte) error
}

// Response is the deciding response of a call.
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	Attempts int
}

// Do performs the call with retries. The error is a *provider.Error.
func (c *Client) Do(ctx context.Context, r Request) (Response, error) {
	var resp Response
	var payload []byte
	if r.Body != nil {
		var err error
		if payload, err = json.Marshal(r.Body); err != nil {
			return resp, provider.Permanent(c.op(r), message.CodeInvalid, "cannot encode request body")
		}
	}
	n, err := retry.Do(ctx, c.Policy, func(ctx context.Context, attempt int) error {
		var err error
		resp, err = c.attempt(ctx, r, payload)
		return err
	})
	resp.Attempts = n
	return resp, err
}

func (c *Client) op(r Request) string { return c.Provider + ": " + r.Op }

func (c *Client) attempt(ctx context.Context, r Request, payload []byte) (Response, error) {
	op := c.op(r)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < MinCallTime {
		return Response{}, provider.Transient(op, message.CodeTimeout, "not started: the invocation deadline is near")
	}
	if c.Limiter != nil {
		if err := c.Limiter.Wait(ctx); err != nil {
			return Response{}, provider.Transient(op, message.CodeTimeout, "not started: rate limit wait would pass the deadline")
		}
	}
	actx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, r.Method, r.URL, body)
	if err != nil {
		return Response{}, provider.Config(op, "cannot build request")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "revoke/1")
	if payload != nil {
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if c.Authorize != nil {
		c.Authorize(req.Header)
	}
	start := time.Now()
	hr, err := c.HTTP.Do(req)
	if err != nil {
		e := c.transportError(op, err, actx)
		c.observe(op, 0, time.Since(start), e)
		return Response{}, e
	}
	defer hr.Body.Close()
	limit := int64(MaxResponseBytes)
	if hr.StatusCode >= 300 {
		limit = MaxErrorBodyBytes // the rest of an error body is never read
	}
	data, err := io.ReadAll(io.LimitReader(hr.Body, limit+1))
	resp := Response{Status: hr.StatusCode, Header: hr.Header, Body: data}
	if err != nil {
		e := c.transportError(op, err, actx)
		e.Status = hr.StatusCode
		c.observe(op, hr.StatusCode, time.Since(start), e)
		return resp, e
	}
	if int64(len(data)) > limit {
		if hr.StatusCode < 300 {
			e := provider.Transient(op, message.CodeProvider, "response body too large")
			e.Status = hr.StatusCode
			c.observe(op, hr.StatusCode, time.Since(start), e)
			return resp, e
		}
		resp.Body = data[:limit]
	}
	if c.Limiter != nil && hasRateHeaders(hr.Header) {
		c.Limiter.Observe(ParseRateHeaders(hr.Header, c.now()))
	}
	check := r.Check
	if check == nil {
		check = DefaultCheck
	}
	err = check(hr.StatusCode, data)
	var pe *provider.Error
	if err != nil {
		pe = provider.As(err)
		if pe.Op == "" || pe.Op == "provider" {
			pe.Op = op
		}
		if pe.Status == 0 {
			pe.Status = hr.StatusCode
		}
		pe.Message = c.Clean(pe.Message)
		if pe.Code == message.CodeRateLimited {
			pe.After = max(pe.After, ParseRetryAfter(hr.Header.Get("Retry-After"), c.now()))
			if c.Limiter != nil {
				c.Limiter.Throttled(pe.After)
			}
		}
	} else if c.Limiter != nil {
		c.Limiter.Succeeded()
	}
	c.observe(op, hr.StatusCode, time.Since(start), errOrNil(pe))
	return resp, errOrNil(pe)
}

func errOrNil(e *provider.Error) error {
	if e == nil {
		return nil
	}
	return e
}

// DefaultCheck: 2xx succeeds; otherwise the status decides, with the
// message of a JSON error body when there is one.
func DefaultCheck(status int, body []byte) error {
	if status >= 200 && status < 300 {
		return nil
	}
	return provider.StatusError("", status, ErrorText(body))
}

// ErrorText pulls the human message out of a JSON error body ("message",
// "detail", "title", "errorText" (Mendix's Identifiers API),
// "error.message"…). It neither redacts nor truncates: Client.Do cleans
// every error message in one step.
func ErrorText(body []byte) string {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	pick := func(m map[string]any) string {
		for _, k := range []string{"message", "detail", "title", "errorText", "error_description", "description"} {
			if s, ok := m[k].(string); ok && s != "" {
				return s
			}
		}
		return ""
	}
	s := pick(m)
	if s == "" {
		if inner, ok := m["error"].(map[string]any); ok {
			s = pick(inner)
		} else if es, ok := m["error"].(string); ok {
			s = es
		}
	}
	return s
}

// Clean is the one redaction step for provider text: the connection's
// credentials are removed first, then the text is truncated.
func (c *Client) Clean(s string) string { return c.Redactor.Clean(s) }

func (c *Client) transportError(op string, err error, actx context.Context) *provider.Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL may hold a credential (Backendless): drop it
	}
	code, msg := message.CodeUnavailable, "connection failed"
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(actx.Err(), context.DeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout(), os.IsTimeout(err):
		code, msg = message.CodeTimeout, "timed out"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		msg = "connection closed mid-response"
	}
	return &provider.Error{Op: op, Code: code, Retry: true, Message: c.Clean(msg + ": " + err.Error()), Err: errors.New(c.Clean(err.Error()))}
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) observe(op string, status int, d time.Duration, err error) {
	if c.Observe != nil {
		c.Observe(Observation{Op: op, Status: status, Duration: d, Err: err})
	}
}

// String never prints credentials.
func (c *Client) String() string { return fmt.Sprintf("rest.Client{%s}", c.Provider) }

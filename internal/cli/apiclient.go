package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// apiFlags are the flags every command that talks to a deployed API takes.
type apiFlags struct {
	base, tokenEnv *string
	insecure       *bool
	timeout        *time.Duration
}

func addAPIFlags(fs *flag.FlagSet) apiFlags {
	return apiFlags{
		base:     fs.String("url", os.Getenv("REVOKE_API_URL"), "the API's base URL (the stack's ApiUrl output; default $REVOKE_API_URL)"),
		tokenEnv: fs.String("token-env", "REVOKE_API_TOKEN", "environment variable holding the bearer token"),
		insecure: fs.Bool("insecure", false, "allow a plain http:// URL (local runs only)"),
		timeout:  fs.Duration("timeout", 15*time.Second, "per-request timeout"),
	}
}

// apiClient calls a deployed revoke API with a bearer token, over https
// only (unless --insecure), following no redirect.
type apiClient struct {
	base    *url.URL
	token   string
	timeout time.Duration
	http    *http.Client
}

// client checks the flags; the error is a usage error.
func (f apiFlags) client() (*apiClient, error) {
	token := os.Getenv(*f.tokenEnv)
	if token == "" {
		return nil, fmt.Errorf("$%s is empty: set it to an API token", *f.tokenEnv)
	}
	u, err := url.Parse(strings.TrimRight(*f.base, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("--url %q is not an absolute URL", *f.base)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && *f.insecure) {
		return nil, fmt.Errorf("refusing to send a token to %s over %s (use https, or --insecure for local runs)", u.Host, u.Scheme)
	}
	return &apiClient{base: u, token: token, timeout: *f.timeout,
		http: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// do sends one request and returns the status, body (at most 16 MiB) and
// headers.
func (c *apiClient) do(ctx context.Context, method, path string, query url.Values, body []byte, headers ...string) (int, []byte, http.Header, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	out, err := readAllLimited(resp.Body, 16<<20)
	return resp.StatusCode, out, resp.Header, err
}

// getJSON GETs a path and decodes a 200 answer into v.
func (c *apiClient) getJSON(ctx context.Context, path string, query url.Values, v any) error {
	status, body, _, err := c.do(ctx, http.MethodGet, path, query, nil)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("the API answered %d: %s", status, strings.TrimSpace(string(body)))
	}
	return json.Unmarshal(body, v)
}

func readInput(io IO, name string) ([]byte, error) {
	if name == "-" {
		return readAllLimited(io.In, 1<<20)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAllLimited(f, 1<<20)
}

func readAllLimited(r io.Reader, n int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, n+1))
	if int64(len(b)) > n {
		return nil, fmt.Errorf("input larger than %d bytes", n)
	}
	return b, err
}

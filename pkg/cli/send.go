package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

func runSend(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "send", "[flags] <request.json|->",
		"POSTs a request file to a deployed revoke API with the bearer token from an environment variable,\n  prints the response body. Exit 0 on 2xx, 1 otherwise.")
	base := fs.String("url", os.Getenv("REVOKE_API_URL"), "the API's base URL (the stack's ApiUrl output; default $REVOKE_API_URL)")
	tokenEnv := fs.String("token-env", "REVOKE_API_TOKEN", "environment variable holding the bearer token")
	path := fs.String("path", "/revocations", "route to POST to")
	insecure := fs.Bool("insecure", false, "allow a plain http:// URL (local runs only)")
	timeout := fs.Duration("timeout", 15*time.Second, "request timeout")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return ExitUsage
	}
	body, err := readInput(io, fs.Arg(0))
	if err != nil {
		return usageErr(io, "%v", err)
	}
	if !json.Valid(body) {
		return usageErr(io, "%s is not valid JSON", fs.Arg(0))
	}
	token := os.Getenv(*tokenEnv)
	if token == "" {
		return usageErr(io, "$%s is empty: set it to an API token", *tokenEnv)
	}
	u, err := url.Parse(strings.TrimRight(*base, "/") + *path)
	if err != nil || u.Host == "" {
		return usageErr(io, "--url %q is not an absolute URL", *base)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && *insecure) {
		return usageErr(io, "refusing to send a token to %s over %s (use https, or --insecure for local runs)", u.Host, u.Scheme)
	}
	cctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return usageErr(io, "%v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return fail(io, "send: %v", err)
	}
	defer resp.Body.Close()
	out, _ := readAllLimited(resp.Body, 1<<20)
	fmt.Fprintln(io.Out, strings.TrimSpace(string(out)))
	if resp.StatusCode/100 != 2 {
		return fail(io, "the API answered %s", resp.Status)
	}
	return ExitOK
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

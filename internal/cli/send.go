package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

func runSend(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "send", "[flags] <request.json|->",
		"POSTs a request file to a deployed revoke API with the bearer token from an environment variable,\n  prints the response body. Exit 0 on 2xx, 1 otherwise.")
	api := addAPIFlags(fs)
	path := fs.String("path", "/revocations", "route to POST to")
	key := fs.String("idempotency-key", "", "Idempotency-Key: a repeat within 24 h answers the first request")
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
	c, err := api.client()
	if err != nil {
		return usageErr(io, "%v", err)
	}
	return post(ctx, io, c, *path, body, *key)
}

// post sends a body and prints the answer; exit 0 on 2xx.
func post(ctx context.Context, io IO, c *apiClient, path string, body []byte, key string) int {
	var headers []string
	if key != "" {
		headers = []string{"Idempotency-Key", key}
	}
	status, out, _, err := c.do(ctx, http.MethodPost, path, nil, body, headers...)
	if err != nil {
		return fail(io, "send: %v", err)
	}
	fmt.Fprintln(io.Out, strings.TrimSpace(string(out)))
	if status/100 != 2 {
		return fail(io, "the API answered %d", status)
	}
	return ExitOK
}

package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/revoke-dev/revoke/pkg/message"
)

func runEvidence(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "evidence", "(--email ADDRESS | --request REQUEST_ID) [--format csv|json] [flags]",
		"Prints one person's revocation history, newest first, or one request's targets, every page: the\n  evidence an auditor asks for (CSV by default, spreadsheet-safe).")
	api := addAPIFlags(fs)
	email := fs.String("email", "", "the person's address")
	request := fs.String("request", "", "a request's id: every target of it (CSV only)")
	format := fs.String("format", "csv", "csv or json")
	if code, stop := parse(fs, args); stop {
		return code
	}
	byRequest := *request != "" && *email == "" && message.IsID(*request) && *format == "csv"
	if (!byRequest && message.CheckEmail(*email) != nil) || (*format != "csv" && *format != "json") || fs.NArg() != 0 {
		fs.Usage()
		return ExitUsage
	}
	c, err := api.client()
	if err != nil {
		return usageErr(io, "%v", err)
	}
	if byRequest {
		return csvPages(ctx, io, c, "/revocations/"+*request, url.Values{"format": {"csv"}})
	}
	if *format == "csv" {
		return csvPages(ctx, io, c, "/revocations", url.Values{"email": {*email}, "format": {"csv"}, "limit": {"1000"}})
	}
	var all []json.RawMessage
	cursor := ""
	for {
		q := url.Values{"email": {*email}, "format": {"json"}, "limit": {"1000"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		status, body, _, err := c.do(ctx, http.MethodGet, "/revocations", q, nil)
		if err != nil {
			return fail(io, "%v", err)
		}
		if status != http.StatusOK {
			return fail(io, "the API answered %d: %s", status, strings.TrimSpace(string(body)))
		}
		var p struct {
			Requests []json.RawMessage `json:"requests"`
			Next     *string           `json:"next"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return fail(io, "%v", err)
		}
		all = append(all, p.Requests...)
		if p.Next == nil {
			break
		}
		cursor = *p.Next
	}
	out, _ := json.MarshalIndent(map[string]any{"email": message.NormalEmail(*email), "requests": all}, "", "  ")
	fmt.Fprintln(io.Out, string(out))
	return ExitOK
}

// csvPages prints every page of a CSV route, following X-Next-Cursor, with
// the header row once.
func csvPages(ctx context.Context, io IO, c *apiClient, path string, q url.Values) int {
	for page := 0; ; page++ {
		status, body, header, err := c.do(ctx, http.MethodGet, path, q, nil)
		if err != nil {
			return fail(io, "%v", err)
		}
		if status != http.StatusOK {
			return fail(io, "the API answered %d: %s", status, strings.TrimSpace(string(body)))
		}
		text := string(body)
		if page > 0 { // the header row once
			_, text, _ = strings.Cut(text, "\n")
		}
		fmt.Fprint(io.Out, text)
		cursor := header.Get("X-Next-Cursor")
		if cursor == "" {
			return ExitOK
		}
		q.Set("cursor", cursor)
	}
}

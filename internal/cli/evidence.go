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
	fs := flags(io, "evidence", "--email ADDRESS [--format csv|json] [flags]",
		"Prints one person's revocation history, newest first, every page: the evidence an auditor asks for\n  (CSV by default, spreadsheet-safe).")
	api := addAPIFlags(fs)
	email := fs.String("email", "", "the person's address")
	format := fs.String("format", "csv", "csv or json")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if message.CheckEmail(*email) != nil || (*format != "csv" && *format != "json") || fs.NArg() != 0 {
		fs.Usage()
		return ExitUsage
	}
	c, err := api.client()
	if err != nil {
		return usageErr(io, "%v", err)
	}
	var all []json.RawMessage
	cursor := ""
	for page := 0; ; page++ {
		q := url.Values{"email": {*email}, "format": {*format}, "limit": {"1000"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		status, body, header, err := c.do(ctx, http.MethodGet, "/revocations", q, nil)
		if err != nil {
			return fail(io, "%v", err)
		}
		if status != http.StatusOK {
			return fail(io, "the API answered %d: %s", status, strings.TrimSpace(string(body)))
		}
		if *format == "csv" {
			text := string(body)
			if page > 0 { // the header row once
				_, text, _ = strings.Cut(text, "\n")
			}
			fmt.Fprint(io.Out, text)
			if cursor = header.Get("X-Next-Cursor"); cursor == "" {
				return ExitOK
			}
			continue
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
